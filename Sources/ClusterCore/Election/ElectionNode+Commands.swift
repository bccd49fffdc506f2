/// Admin commands: applied by the leader, answered once committed.
extension ElectionNode {
    mutating func submit(_ command: AdminCommand, origin: CommandOrigin) {
        if command.changesMembers, persistent.admin.voters == nil {
            // Answered here: a leader of an earlier release could not decode it.
            reply(origin, .rejected(.membersNotRecorded))
            return
        }
        guard role == .leader else {
            if case .local(let id) = origin, let leader, leader != name, isOnline(leader) {
                forwardedCommands[id] = now + timings.commandTimeout
                send(.command(id: id, command: command), to: leader)
            } else {
                reply(origin, .noQuorum)
            }
            return
        }
        switch applied(command) {
        case .failure(let rejection):
            reply(origin, .rejected(rejection))
        case .success(let admin):
            if command.changesMembers {
                event(.membershipChange, .notice, "\(command): members \((admin.voters ?? []).joined(separator: ", ")) (version \(persistent.admin.stamp.version.next))")
            } else {
                event(.adminChange, .notice, "\(command) (version \(persistent.admin.stamp.version.next))")
            }
            pendingCommands.append(PendingCommand(origin: origin, stamp: AdminStamp(term: term, version: persistent.admin.stamp.version.next), deadline: now + timings.commandTimeout))
            updateAdmin { $0 = admin }
        }
    }

    /// The admin state with `command` applied (stamp unchanged), or why not.
    func applied(_ command: AdminCommand) -> Result<AdminState, CommandRejection> {
        var admin = persistent.admin
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
            if let rejection = appliedMembership(command, to: &admin) { return .failure(rejection) }
        }
        return .success(admin)
    }

    /// The node running the service, as this node knows.
    var currentHolder: String? {
        if service.mayRun { return name }
        return holder
    }

    mutating func reply(_ origin: CommandOrigin, _ outcome: CommandOutcome) {
        switch origin {
        case .local(let id):
            emit(.reply(id, outcome))
        case .remote(let node, let id):
            send(.commandReply(id: id, outcome: outcome), to: node)
        }
    }

    mutating func answerCommittedCommands() {
        let done = pendingCommands.filter { $0.stamp <= committed }
        guard !done.isEmpty else { return }
        pendingCommands.removeAll { $0.stamp <= committed }
        for command in done {
            reply(command.origin, .committed(command.stamp.version))
        }
    }

    mutating func failPendingCommands() {
        let failed = pendingCommands
        pendingCommands.removeAll()
        for command in failed {
            reply(command.origin, .noQuorum)
        }
    }

    mutating func expireCommands() {
        if pendingCommands.contains(where: { $0.deadline <= now }) {
            let expired = pendingCommands.filter { $0.deadline <= now }
            pendingCommands.removeAll { $0.deadline <= now }
            for command in expired { reply(command.origin, .noQuorum) }
        }
        if forwardedCommands.values.contains(where: { $0 <= now }) {
            let expired = forwardedCommands.filter { $0.value <= now }.keys.sorted()
            for id in expired {
                forwardedCommands.removeValue(forKey: id)
                emit(.reply(id, .noQuorum))
            }
        }
    }
}
