import ClusterHost
import ClusterCore

/// Who fences first when a 2-node cluster is cut in half and each node wants to
/// fence the other (both have quorum in `two_node` mode).
///
/// The rule, deterministic so that exactly one node survives:
/// - the node that currently holds the service (the last known active node) fences
///   **at once**; the other node waits `raceDelay` (default 5 s) before its first
///   agent run, and is normally powered off during that wait;
/// - if no node holds the service, the node placement prefers (higher `priority`,
///   then the smaller name) fences at once and the other waits;
/// - clusters with more than two nodes get no race delay: only the side with a
///   majority can fence;
/// - manual fencing (`hactl fence`) gets no race delay;
/// - each device's own `delay` is added on top (it is waited before that device's
///   off/reboot, as Pacemaker's `pcmk_delay_base`).
///
/// `raceDelay` must exceed the time the winner needs to cut the loser's power
/// (its agent's off time), or both may be fenced.
public struct FenceRaceRule: Sendable, Equatable {
    public static let defaultRaceDelay: Duration = .seconds(5)

    public var raceDelay: Duration

    public init(raceDelay: Duration = FenceRaceRule.defaultRaceDelay) {
        self.raceDelay = raceDelay
    }

    /// The delay before `local` starts fencing `target`. Pure.
    /// - Parameter serviceHolder: the node that holds the service as far as `local` knows
    ///   (the last active node), nil if none.
    public func delay(local: String, target: String, serviceHolder: String?, config: ClusterConfig) -> Duration {
        guard config.votingNodes.count == 2 else { return .zero }
        if let holder = serviceHolder, holder == local || holder == target {
            return holder == local ? .zero : raceDelay
        }
        return preferred(local, target, config: config) == local ? .zero : raceDelay
    }

    private func preferred(_ a: String, _ b: String, config: ClusterConfig) -> String {
        let pa = config.node(named: a)?.priority ?? NodeConfig.defaultPriority
        let pb = config.node(named: b)?.priority ?? NodeConfig.defaultPriority
        if pa != pb { return pa > pb ? a : b }
        return min(a, b)
    }
}
