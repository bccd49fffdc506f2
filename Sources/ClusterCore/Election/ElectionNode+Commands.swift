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
        persistent.admin.applying(command, config: config, wallClock: wallClock, currentHolder: currentHolder) { command, admin in
            appliedMembership(command, to: &admin)
        }
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
