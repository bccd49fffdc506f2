import ClusterHost
import ClusterCore
import Fencing
import FoundationEssentials
import Logging

/// Answers `hactl` on the control socket with the running runtime: status as the
/// spec's JSON, the event log (and its live stream), admin commands (committed by
/// a quorum through the runtime's core), manual fencing, and the local part of
/// `check-storage`.
struct DaemonControlHandler: ControlHandler {
    let config: ClusterConfig
    let localNode: String
    let runtime: any CoordinationRuntime
    let fencer: FenceCoordinator
    let events: EventHub
    let logger: Logger
    let report: @Sendable () async -> StatusReport
    /// `reload`: check the configuration, then re-execute in place (nil: not supported).
    var reload: (@Sendable () async -> ControlResponse)?
    /// Counts each request by type and result (`[metrics]`).
    var metrics: ClusterMetrics?

    func handle(_ request: ControlRequest, from peer: PeerCredentials) async -> ControlResponse {
        let response = await answer(request, from: peer)
        if let metrics {
            switch response {
            case .result: metrics.countRequest(verb: request.type, result: "ok")
            case let .error(error): metrics.countRequest(verb: request.type, result: error.code)
            }
        }
        return response
    }

    private func answer(_ request: ControlRequest, from peer: PeerCredentials) async -> ControlResponse {
        switch request {
        case .status:
            return .result(.status(await report()))
        case let .events(since, limit, _):
            var list = events.recent()
            if let since { list = list.filter { $0.time >= since } }
            if let limit, limit >= 0 { list = Array(list.suffix(limit)) }
            return .result(.events(list))
        case let .admin(command):
            logger.notice("admin command from uid \(peer.uid)", metadata: ["command": "\(command)", "pid": "\(peer.pid)"])
            if config.cluster.backend == .etcd, command.changesMembers {
                return .error(.rejected(reason: "hactl \(request.type) does not apply with the etcd backend: etcd's own members "
                    + "make the quorum, and the [[node]] tables list the nodes that may run the service"))
            }
            switch await runtime.submit(command) {
            case let .committed(version):
                var detail: String?
                if command.changesMembers, let members = await runtime.recordedMembers() {
                    // This node stored the committed list (or a newer one) before the answer came.
                    let change: String
                    switch command {
                    case let .addNode(node): change = "\(node) is a voting member now"
                    case let .removeNode(node):
                        change = "\(node) is no longer a member (stop haclusterd on it; to retire it, remove its [[node]] from every configuration and reload; to replace the machine under the same name and addresses, start haclusterd on the new one and hactl node add \(node))"
                    default: change = "\(command)"
                    }
                    detail = "\(change); members: \(members.joined(separator: ", ")) (version \(version))"
                }
                return .result(.committed(AdminCommit(version: version.rawValue, detail: detail)))
            case .noQuorum:
                let quorum = await runtime.status().election.quorum
                return .error(.noQuorum(votes: quorum.votes, expected: quorum.expected))
            case let .rejected(rejection):
                return .error(.rejected(reason: Self.describe(rejection)))
            }
        case let .fence(node):
            guard config.node(named: node) != nil else {
                return .error(.badRequest(reason: "no node named '\(node)' (known nodes: \(config.nodes.map(\.name).joined(separator: ", ")))"))
            }
            logger.warning("manual fencing of \(node) requested by uid \(peer.uid)", metadata: ["pid": "\(peer.pid)"])
            let outcome = await fencer.fence(node: node, reason: "hactl fence (uid \(peer.uid))", trigger: .manual)
            if outcome.succeeded {
                // The node is down: the core may stop waiting for it to release (and shows it fenced).
                await runtime.report(.fenced(node: node))
            }
            return .result(.fenced(outcome))
        case let .fenceConfirm(node):
            guard config.node(named: node) != nil else {
                return .error(.badRequest(reason: "no node named '\(node)' (known nodes: \(config.nodes.map(\.name).joined(separator: ", ")))"))
            }
            logger.warning("fence confirm of \(node) requested by uid \(peer.uid)", metadata: ["pid": "\(peer.pid)"])
            if let refusal = await runtime.override(.confirmFenced(node: node), uid: peer.uid) {
                logger.notice("fence confirm of \(node) by uid \(peer.uid) refused: \(refusal)")
                return .error(.rejected(reason: "\(node) not confirmed: \(refusal)"))
            }
            return .result(.overridden(OverrideAccepted(
                action: request.type, node: node, appliedOn: localNode, uid: peer.uid,
                detail: "\(node) counts as fenced on \(localNode), the coordinator: a takeover waiting for its fence goes on")))
        case .quorumUnblock:
            logger.warning("quorum unblock requested by uid \(peer.uid)", metadata: ["pid": "\(peer.pid)"])
            if let refusal = await runtime.override(.unblockQuorum, uid: peer.uid) {
                logger.notice("quorum unblock by uid \(peer.uid) refused: \(refusal)")
                return .error(.rejected(reason: "quorum not unblocked: \(refusal)"))
            }
            return .result(.overridden(OverrideAccepted(
                action: request.type, appliedOn: localNode, uid: peer.uid,
                detail: "\(localNode) no longer waits for all nodes: this partition elects a coordinator and starts the service")))
        case .reload:
            logger.notice("reload requested by uid \(peer.uid)", metadata: ["pid": "\(peer.pid)"])
            guard let reload else { return .error(.rejected(reason: "this daemon cannot reload")) }
            return await reload()
        case let .checkStoragePeer(probe):
            guard probe.node == localNode else {
                // Another node's view: its daemon runs the probe (a relay over the cluster links).
                guard config.node(named: probe.node) != nil else {
                    return .error(.badRequest(reason: "no node named '\(probe.node)' (known nodes: \(config.nodes.map(\.name).joined(separator: ", ")))"))
                }
                switch await StorageProbeRelay.forward(probe, runtime: runtime) {
                case let .success(report): return .result(.storagePeer(report))
                case let .failure(failure): return .error(.rejected(reason: "\(probe.node) could not run the storage probe: \(failure)"))
                }
            }
            if let refusal = probe.refusal(storagePath: config.storage.path) {
                return .error(.badRequest(reason: refusal))
            }
            // The probe takes locks and reads files: off the event loop, bounded in time.
            guard let result = await probe.runBounded(localNode: localNode) else {
                return .error(.rejected(reason: "the storage probe did not finish within 10s (storage hung?)"))
            }
            return .result(.storagePeer(result))
        }
    }

    func followEvents(from peer: PeerCredentials) async -> AsyncStream<ClusterEvent>? {
        events.follow()
    }

    static func describe(_ rejection: CommandRejection) -> String {
        switch rejection {
        case let .unknownNode(node): "no node named '\(node)'"
        case let .witnessNode(node): "\(node) is a witness: it never runs the service"
        case .serviceNotRunning: "the service runs nowhere, so there is nothing to move away; name a target node"
        case .invalidLifetime: "a lifetime must be positive"
        case .membersNotRecorded:
            "the cluster has not recorded its member list yet: every node must run this release (or later) and a coordinator be elected since; hactl status shows each node's release"
        case let .alreadyMember(node): "\(node) is already a member"
        case let .notMember(node): "\(node) is not a member (hactl status marks learners)"
        case let .nodeNotHeard(node):
            "\(node) is not heard: start haclusterd on it first, with the cluster's key and a configuration that lists every node, and wait until hactl status shows it alive"
        case let .removingLeader(node):
            "\(node) coordinates the cluster: stop haclusterd on it first (systemctl stop haclusterd hands the service and the coordination over), then remove it from another node"
        case let .nodeRunsService(node):
            "\(node) runs the service (or may still run it): move it away first (hactl move), then remove the node"
        case let .changePending(version):
            "an earlier change (version \(version)) is not committed yet: membership changes go one at a time; retry once hactl status shows every member alive"
        case .twoNodeMembership:
            "a two_node cluster has exactly two voting nodes: stop the cluster, set two_node = false and list the nodes in [[node]], then start it"
        case let .adminStateUnreadable(reason):
            "\(reason); fix the key, or delete it to start from the defaults (enabled, no constraints)"
        }
    }
}
