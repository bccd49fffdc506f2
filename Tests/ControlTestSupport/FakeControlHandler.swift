import CoreTestSupport
import ClusterCore
import ClusterHost
import Foundation

/// A handler that answers from fixtures and records what it was asked.
public final class FakeControlHandler: ControlHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var _received: [(ControlRequest, PeerCredentials)] = []
    public let answer: @Sendable (ControlRequest) -> ControlResponse
    public let followed: [ClusterEvent]
    /// End the live stream after `followed` (a daemon that stops), instead of keeping it open.
    public let finishFollow: Bool

    public init(followed: [ClusterEvent] = [], finishFollow: Bool = false, answer: @escaping @Sendable (ControlRequest) -> ControlResponse = FakeControlHandler.defaultAnswer) {
        self.answer = answer
        self.followed = followed
        self.finishFollow = finishFollow
    }

    public var received: [(ControlRequest, PeerCredentials)] { lock.withLock { _received } }

    public func handle(_ request: ControlRequest, from peer: PeerCredentials) async -> ControlResponse {
        lock.withLock { _received.append((request, peer)) }
        return answer(request)
    }

    public func followEvents(from peer: PeerCredentials) async -> AsyncStream<ClusterEvent>? {
        let events = followed
        let finish = finishFollow
        return AsyncStream { continuation in
            for event in events { continuation.yield(event) }
            // Otherwise it stays open, like a daemon's live stream.
            if finish { continuation.finish() }
        }
    }

    @Sendable public static func defaultAnswer(_ request: ControlRequest) -> ControlResponse {
        switch request {
        case .status: .result(.status(ControlFixtures.specStatus))
        case .events: .result(.events([ClusterEvent(time: 1, node: "dss1", kind: .electionWon, message: "won term 7")]))
        case .admin(.disable): .error(.noQuorum(votes: 1, expected: 3))
        case .admin: .result(.committed(AdminCommit(version: 3, detail: "done")))
        case let .fence(node): .result(.fenced(FenceOutcome(node: node, succeeded: true, level: 1, devices: ["ipmi"], detail: "rebooted", durationMilliseconds: 1200)))
        case let .checkStoragePeer(probe): .result(.storagePeer(probe.run(localNode: probe.node)))
        case let .fenceConfirm(node): .result(.overridden(OverrideAccepted(action: "fence_confirm", node: node, appliedOn: "dss2", uid: 0, detail: "\(node) counts as fenced")))
        case .quorumUnblock: .error(.rejected(reason: "quorum not unblocked: nothing to unblock: wait_for_all is off, so this node does not wait for all nodes after a cold start"))
        case .reload: .error(.rejected(reason: "reload refused, nothing changed: /etc/hacluster/haclusterd.toml:3: cluster.name changed (a -> b): stop the whole cluster, then start it with the new name"))
        }
    }
}
