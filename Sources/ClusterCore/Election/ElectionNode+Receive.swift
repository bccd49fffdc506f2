extension ElectionNode {
    mutating func receive(_ message: Message, from: String) {
        switch message {
        case .preVoteRequest(let proposed, let admin):
            handlePreVoteRequest(term: proposed, admin: admin, from: from)
        case .preVoteResponse(let responseTerm, let granted):
            handlePreVoteResponse(term: responseTerm, granted: granted, from: from)
        case .voteRequest(let requested, let admin, let transfer):
            handleVoteRequest(term: requested, admin: admin, transfer: transfer, from: from)
        case .voteResponse(let responseTerm, let granted, let since):
            handleVoteResponse(term: responseTerm, granted: granted, sinceLeaderContact: since, from: from)
        case .heartbeat(let leaderTerm, let sequence, let admin, let committed, let holder, let members):
            handleHeartbeat(term: leaderTerm, sequence: sequence, admin: admin, committed: committed, holder: holder, members: members, from: from)
        case .heartbeatAck(let ackTerm, let sequence, let admin, let holding):
            handleHeartbeatAck(term: ackTerm, sequence: sequence, admin: admin, holding: holding, from: from)
        case .timeoutNow(let transferTerm):
            handleTimeoutNow(term: transferTerm, from: from)
        case .command(let id, let command):
            if role == .leader {
                submit(command, origin: .remote(node: from, id: id))
            } else {
                send(.commandReply(id: id, outcome: .noQuorum), to: from)
            }
        case .commandReply(let id, let outcome):
            if forwardedCommands.removeValue(forKey: id) != nil {
                emit(.reply(id, outcome))
            }
        }
    }
}
