/// Admin commands applied to an admin state: the one rule both backends share (the built-in
/// leader applies it before replicating the result, the etcd backend before its transaction).
extension AdminState {
    /// This state with `command` applied (stamp unchanged; expired constraints and failures
    /// dropped), or why not. `currentHolder`: the node running the service (for `move` without a
    /// target). `membership` applies `node add` / `node remove`, which only the built-in backend has.
    public func applying(
        _ command: AdminCommand, config: ClusterConfig, wallClock: UInt64, currentHolder: String?,
        membership: (AdminCommand, inout AdminState) -> CommandRejection?
    ) -> Result<AdminState, CommandRejection> {
        var admin = self
        let wall = wallClock
        admin.constraints.removeAll { !$0.isActive(at: wall) }
        admin.failures.removeAll { $0.count(at: wall, expiry: config.service.failureExpiry) == 0 }

        func check(_ node: String) -> CommandRejection? {
            config.node(named: node) == nil ? .unknownNode(node) : nil
        }
        func expiry(_ lifetime: Duration?) -> Result<UInt64?, CommandRejection> {
            guard let lifetime else { return .success(nil) }
            let seconds = lifetime.components.seconds + (lifetime.components.attoseconds > 0 ? 1 : 0)
            guard seconds > 0 else { return .failure(.invalidLifetime) }
            return .success(wall + UInt64(seconds))
        }

        switch command {
        case .enable:
            admin.enabled = true
        case .disable:
            admin.enabled = false
        case .move(let target, let lifetime):
            let expires: UInt64?
            switch expiry(lifetime) {
            case .success(let value): expires = value
            case .failure(let rejection): return .failure(rejection)
            }
            if let target {
                if let rejection = check(target) { return .failure(rejection) }
                if config.node(named: target)?.role == .witness { return .failure(.witnessNode(target)) }
                admin.constraints.removeAll { $0.kind == .prefer || ($0.kind == .ban && $0.node == target) }
                admin.constraints.append(AdminConstraint(kind: .prefer, node: target, expires: expires))
            } else {
                guard let current = currentHolder else { return .failure(.serviceNotRunning) }
                admin.constraints.removeAll { $0.node == current }
                admin.constraints.append(AdminConstraint(kind: .ban, node: current, expires: expires))
            }
        case .ban(let node, let lifetime):
            if let rejection = check(node) { return .failure(rejection) }
            let expires: UInt64?
            switch expiry(lifetime) {
            case .success(let value): expires = value
            case .failure(let rejection): return .failure(rejection)
            }
            admin.constraints.removeAll { $0.node == node }
            admin.constraints.append(AdminConstraint(kind: .ban, node: node, expires: expires))
        case .clear(let node):
            if let node, let rejection = check(node) { return .failure(rejection) }
            admin.constraints.removeAll { node == nil || $0.node == node }
        case .standby(let node):
            if let rejection = check(node) { return .failure(rejection) }
            if !admin.standby.contains(node) { admin.standby = (admin.standby + [node]).sorted() }
        case .unstandby(let node):
            if let rejection = check(node) { return .failure(rejection) }
            admin.standby.removeAll { $0 == node }
        case .maintenance(let on):
            admin.maintenance = on
        case .cleanup(let node):
            if let node, let rejection = check(node) { return .failure(rejection) }
            admin.failures.removeAll { node == nil || $0.node == node }
        case .addNode, .removeNode:
            if let rejection = membership(command, &admin) { return .failure(rejection) }
        }
        return .success(admin)
    }

    /// This state with one more failure of the service on `node` at `wallClock` (failures older
    /// than `expiry` no longer count); `fatal`: the count goes to at least `threshold` at once.
    public func recordingFailure(of node: String, at wallClock: UInt64, expiry: Duration, fatal: Bool, threshold: Int) -> AdminState {
        var admin = self
        let floor = fatal ? threshold : 0
        if let index = admin.failures.firstIndex(where: { $0.node == node }) {
            admin.failures[index].count = max(admin.failures[index].count(at: wallClock, expiry: expiry) + 1, floor)
            admin.failures[index].lastFailure = wallClock
        } else {
            admin.failures.append(FailureRecord(node: node, count: max(1, floor), lastFailure: wallClock))
        }
        return admin
    }
}
