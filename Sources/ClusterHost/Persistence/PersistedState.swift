import ClusterCore
/// The on-disk form of `PersistentState` (JSON body of the state file). Kept
/// apart from the in-memory types so the file format changes only on purpose.
struct PersistedState: Codable, Sendable, Equatable {
    struct Stamp: Codable, Sendable, Equatable {
        var term: UInt64
        var version: UInt64
    }

    struct Constraint: Codable, Sendable, Equatable {
        var kind: String
        var node: String
        /// Seconds since the UNIX epoch; nil = until cleared.
        var expires: UInt64?
    }

    struct Failure: Codable, Sendable, Equatable {
        var node: String
        var count: Int
        var lastFailure: UInt64
    }

    struct Admin: Codable, Sendable, Equatable {
        var stamp: Stamp
        var enabled: Bool
        var maintenance: Bool
        var standby: [String]
        var constraints: [Constraint]
        var failures: [Failure]
        var mayHold: [String]
        /// Absent in files of earlier releases and before the member list was recorded.
        var voters: [String]?
    }

    var term: UInt64
    var votedFor: String?
    var admin: Admin

    init(_ state: PersistentState) {
        term = state.term.rawValue
        votedFor = state.votedFor
        admin = Admin(state.admin)
    }

    /// Back to the in-memory type; a value no node could have written is corrupt.
    func state(path: String) throws(StateStoreError) -> PersistentState {
        PersistentState(term: Term(term), votedFor: votedFor, admin: try admin.state(path: path))
    }
}

extension PersistedState.Admin {
    init(_ admin: AdminState) {
        self.init(
            stamp: PersistedState.Stamp(term: admin.stamp.term.rawValue, version: admin.stamp.version.rawValue),
            enabled: admin.enabled,
            maintenance: admin.maintenance,
            standby: admin.standby,
            constraints: admin.constraints.map { PersistedState.Constraint(kind: $0.kind.rawValue, node: $0.node, expires: $0.expires) },
            failures: admin.failures.map { PersistedState.Failure(node: $0.node, count: $0.count, lastFailure: $0.lastFailure) },
            mayHold: admin.mayHold,
            voters: admin.voters
        )
    }

    /// Back to the in-memory type; a value no node could have written is corrupt (`path`: where it was read).
    func state(path: String) throws(StateStoreError) -> AdminState {
        var constraints: [AdminConstraint] = []
        for constraint in self.constraints {
            guard let kind = AdminConstraint.Kind(rawValue: constraint.kind) else {
                throw .corrupt(path: path, reason: "unknown constraint kind '\(constraint.kind)'")
            }
            constraints.append(AdminConstraint(kind: kind, node: constraint.node, expires: constraint.expires))
        }
        guard failures.allSatisfy({ $0.count >= 0 }) else {
            throw .corrupt(path: path, reason: "negative failure count")
        }
        if let voters, voters.isEmpty || Set(voters).count != voters.count {
            throw .corrupt(path: path, reason: voters.isEmpty ? "empty member list (admin.voters)" : "a node listed twice in admin.voters")
        }
        return AdminState(
            stamp: AdminStamp(term: Term(stamp.term), version: AdminVersion(stamp.version)),
            enabled: enabled,
            maintenance: maintenance,
            standby: standby,
            constraints: constraints,
            failures: failures.map { FailureRecord(node: $0.node, count: $0.count, lastFailure: $0.lastFailure) },
            mayHold: mayHold,
            voters: voters
        )
    }
}
