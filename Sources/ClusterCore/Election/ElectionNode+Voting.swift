/// PreVote, votes and role changes.
extension ElectionNode {
    public var term: Term { persistent.term }

    /// How long since this node last acknowledged a leader (or led), or since it
    /// started when it has not: a restarted node has forgotten its acknowledgements.
    var sinceLeaderContact: Duration { now.since(lastLeaderContact ?? started ?? now) }

    /// A leader was heard within the minimum election timeout: refuse to help
    /// depose it (PreVote and CheckQuorum's vote rejection).
    var hearsLeader: Bool {
        if role == .leader { return true }
        guard leader != nil, let contact = lastLeaderContact else { return false }
        return now.since(contact) < timings.failureTimeout
    }

    func isUpToDate(_ candidate: AdminStamp) -> Bool {
        mutations.contains(.ignoreUpToDate) || candidate >= persistent.admin.stamp
    }

    mutating func electionTimeout() {
        resetElectionDeadline()
        guard !isWitness, isMember, !leaving else { return }
        // A split 2-node cluster whose leader still writes its disk heartbeat: campaigning
        // would only give the cluster a second leader to reconcile when the network returns.
        if peerLeadingOnStorageOnly != nil {
            if role != .follower { role = .follower }
            // Look again at the next disk heartbeat: a crashed leader turns silent within
            // storage_timeout of its last write, and the takeover should not wait a whole
            // election timeout more. (The step that finds it lost and silent campaigns at
            // once: `campaignIfPeerSilent`; this look covers the verdict's other changes.)
            electionDeadline = now + timings.heartbeatInterval
            return
        }
        if waitingForAll {
            if peers.allSatisfy({ lastHeard[$0] != nil }) {
                waitingForAll = false
            } else {
                // Announce ourselves so the others can stop waiting too: a pre-vote
                // request changes nothing at the receiver, and its answer proves the peer is up.
                for peer in peers where lastHeard[peer] == nil {
                    send(.preVoteRequest(term: term.next, admin: persistent.admin.stamp), to: peer)
                }
                return
            }
        }
        startPreVote()
    }

    /// `wait_for_all` ends when the last missing peer is heard. The node then looks for a leader
    /// within the election jitter instead of a whole election timeout later: by then the peers'
    /// contact (often only their announcement) would be older than `failure_timeout`, they would
    /// count as offline, and in `two_node` mode two nodes that announced themselves at the same
    /// instant would each win alone and fence the other. A heartbeat in the same message resets
    /// the deadline as usual.
    mutating func stopWaitingOnceAllHeard() {
        guard waitingForAll, peers.allSatisfy({ lastHeard[$0] != nil }) else { return }
        waitingForAll = false
        guard role == .follower, leader == nil else { return }
        let jitter = UInt64(max(1, timings.electionJitter.nanoseconds))
        electionDeadline = min(electionDeadline, now + .nanoseconds(Int64(random.next(upperBound: jitter))))
    }

    /// The term this node campaigns for next. In `two_node` mode one vote wins,
    /// so both halves of a split could win the same term; each node campaigns
    /// only in terms of its own parity, which keeps one leader per term.
    var campaignTerm: Term {
        guard config.quorum.twoNode, let index = config.nodes.firstIndex(where: { $0.name == name }) else { return term.next }
        var candidate = term.next
        if candidate.rawValue % 2 != UInt64(index % 2) { candidate = candidate.next }
        return candidate
    }

    mutating func startPreVote() {
        role = .preCandidate
        leader = nil
        preVotes = [name]
        event(.electionPrevote, .info, "no leader heard for \(timings.failureTimeout); asking for pre-votes for term \(campaignTerm)")
        if preVotes.count >= voteQuorum {
            startCampaign(transfer: false)
            return
        }
        for peer in peers {
            send(.preVoteRequest(term: campaignTerm, admin: persistent.admin.stamp), to: peer)
        }
    }

    /// Bumps the term, votes for itself and asks for votes. The term and vote
    /// are persisted before the requests go out (`finishStep` orders them).
    mutating func startCampaign(transfer: Bool) {
        persistent.term = campaignTerm
        persistent.votedFor = name
        role = .candidate
        leader = nil
        votes = [name: sinceLeaderContact]
        campaignStarted = now
        transferCampaign = transfer
        resetElectionDeadline()
        event(.electionStarted, .info, "campaigning for term \(term)\(transfer ? " (leadership transfer)" : "")")
        if votes.count >= voteQuorum {
            becomeLeader()
            return
        }
        for peer in peers {
            send(.voteRequest(term: term, admin: persistent.admin.stamp, transfer: transfer), to: peer)
        }
    }

    mutating func handlePreVoteRequest(term proposed: Term, admin: AdminStamp, from: String) {
        let granted = proposed > term && isUpToDate(admin) && !hearsLeader
        send(.preVoteResponse(term: granted ? proposed : term, granted: granted), to: from)
    }

    mutating func handlePreVoteResponse(term responseTerm: Term, granted: Bool, from: String) {
        if granted {
            // Only a member's pre-vote counts (a learner's does not).
            guard role == .preCandidate, responseTerm == campaignTerm, peers.contains(from) else { return }
            preVotes.insert(from)
            if preVotes.count >= voteQuorum { startCampaign(transfer: false) }
        } else if responseTerm > term {
            becomeFollower(term: responseTerm, leader: nil)
        }
    }

    mutating func handleVoteRequest(term requested: Term, admin: AdminStamp, transfer: Bool, from: String) {
        if requested > term {
            if !transfer && hearsLeader {
                // Leader stickiness: a healthy leader is not deposed by a node that lost touch.
                send(.voteResponse(term: term, granted: false, sinceLeaderContact: sinceLeaderContact), to: from)
                return
            }
            becomeFollower(term: requested, leader: nil)
        }
        guard requested == term else {
            send(.voteResponse(term: term, granted: false, sinceLeaderContact: sinceLeaderContact), to: from)
            return
        }
        // Measured before this vote: the vote itself is no lease this candidate must wait for.
        let since = sinceLeaderContact
        let mayVote = persistent.votedFor == nil || persistent.votedFor == from || mutations.contains(.disableVoteOnce)
        let granted = mayVote && isUpToDate(admin)
        if granted {
            // MUST be persisted before the vote is sent (finishStep puts the persist first).
            persistent.votedFor = from
            resetElectionDeadline()
            // The candidate counts this vote as a lease acknowledgement, so a
            // later candidate must wait it out too: report it in `since`.
            lastLeaderContact = now
        }
        send(.voteResponse(term: term, granted: granted, sinceLeaderContact: since), to: from)
    }

    mutating func handleVoteResponse(term responseTerm: Term, granted: Bool, sinceLeaderContact since: Duration, from: String) {
        if responseTerm > term {
            becomeFollower(term: responseTerm, leader: nil)
            return
        }
        guard role == .candidate, responseTerm == term, granted, peers.contains(from) else { return }
        votes[from] = since
        if votes.count >= voteQuorum { becomeLeader() }
    }

    mutating func becomeFollower(term newTerm: Term, leader newLeader: String?) {
        let wasLeader = role == .leader
        if newTerm > term {
            persistent.term = newTerm
            persistent.votedFor = nil
        }
        role = .follower
        leader = newLeader
        fenceFailure = nil
        leaseClaimed = false
        leaseClaimAt = nil
        transferDeadline = nil
        resetElectionDeadline()
        if wasLeader {
            event(.leaderSteppedDown, .notice, "no longer leader (term \(term))")
            failPendingCommands()
            if holder == name { holder = nil }
        }
        if service.mayRun, !service.isReleasing {
            release(.lostLeadership)
        }
    }

    mutating func becomeLeader() {
        role = .leader
        leader = name
        lastLeaderContact = now
        // Like Raft's no-op entry: restamp the snapshot in this term so that
        // committing it (and anything after) follows the up-to-date rule.
        persistent.admin.stamp = AdminStamp(term: term, version: persistent.admin.stamp.version.next)
        ackedSendTime = [:]
        matchStamp = [:]
        confirmedReleased = []
        fencedThisTerm = []
        heartbeatSent = [:]
        for voter in votes.keys where voter != name {
            ackedSendTime[voter] = campaignStarted
        }
        // Wait out any lease a previous leader may still hold: each voter last
        // acknowledged a leader `since` ago (its clock); drift-safe bound.
        var wait = Duration.zero
        if !transferCampaign && !mutations.contains(.skipLeaseWait) {
            for since in votes.values {
                wait = max(wait, timings.leaseSafe - since)
            }
        }
        leaseClaimAt = now + wait
        leaseClaimed = false
        event(.electionWon, .notice, "leader for term \(term) with \(votes.count) of \(votersCount) votes\(wait > .zero ? "; waiting \(wait) for the previous lease" : "")")
        broadcastHeartbeat()
        advanceCommit()
        claimLeaseIfDue()
    }

    mutating func handleTimeoutNow(term transferTerm: Term, from: String) {
        guard transferTerm == term, from == leader, role == .follower, !isWitness, isMember, !leaving else { return }
        event(.leadershipTransfer, .info, "\(from) hands leadership over; campaigning now")
        startCampaign(transfer: true)
    }
}

extension ServiceState {
    var isReleasing: Bool {
        if case .releasing = self { return true }
        return false
    }
}
