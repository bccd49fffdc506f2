/// Placement rules, pure functions of the config, the admin state and who is online.
///
/// The service runs on the leader when the leader is eligible; otherwise
/// leadership moves to the best eligible online node: the node a `move`
/// prefers, then highest priority, then the node the service last ran on
/// (stickiness), then the smallest name.
public enum Placement {
    /// Why `node` may not run the service at `wallClock`, or nil if it may.
    public static func ineligibility(of node: String, config: ClusterConfig, admin: AdminState, wallClock: UInt64) -> NodeIneligibility? {
        guard let nodeConfig = config.node(named: node) else { return .unknown }
        if nodeConfig.role == .witness { return .witness }
        if let voters = admin.voters, !voters.contains(node) { return .notMember }
        if admin.isStandby(node) { return .standby }
        if admin.isBanned(node, at: wallClock) { return .banned }
        let failures = admin.failureCount(of: node, at: wallClock, expiry: config.service.failureExpiry)
        if failures >= config.service.migrationThreshold { return .failures(failures) }
        return nil
    }

    /// The best eligible node among `online` (nil if none).
    public static func bestNode(config: ClusterConfig, admin: AdminState, online: Set<String>, lastActive: String?, wallClock: UInt64) -> String? {
        let preferred = admin.preferredNode(at: wallClock)
        let eligible = config.nodes.filter {
            online.contains($0.name) && ineligibility(of: $0.name, config: config, admin: admin, wallClock: wallClock) == nil
        }
        return eligible.min { a, b in
            let aKey = (a.name == preferred ? 0 : 1, -a.priority, a.name == lastActive ? 0 : 1)
            let bKey = (b.name == preferred ? 0 : 1, -b.priority, b.name == lastActive ? 0 : 1)
            if aKey != bKey { return aKey < bKey }
            return a.name < b.name
        }?.name
    }

    /// What `leader` should do with the service; `online` includes the leader.
    public static func decide(config: ClusterConfig, admin: AdminState, leader: String, online: Set<String>, lastActive: String?, wallClock: UInt64) -> PlacementDecision {
        if admin.maintenance { return .leaveAlone }
        guard admin.enabled else { return .stop(.disabled) }
        if let preferred = admin.preferredNode(at: wallClock), preferred != leader, online.contains(preferred),
           ineligibility(of: preferred, config: config, admin: admin, wallClock: wallClock) == nil {
            return .transfer(to: preferred, reason: .preferred(preferred))
        }
        guard let why = ineligibility(of: leader, config: config, admin: admin, wallClock: wallClock) else {
            return .runOnLeader
        }
        var others = online
        others.remove(leader)
        if let target = bestNode(config: config, admin: admin, online: others, lastActive: lastActive, wallClock: wallClock) {
            return .transfer(to: target, reason: .leaderIneligible(why))
        }
        return .stop(.noEligibleNode)
    }
}
