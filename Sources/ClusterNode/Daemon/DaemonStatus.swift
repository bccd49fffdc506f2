import ClusterCore
import ClusterHost
/// The one-line state systemd shows as `StatusText` (`systemctl status haclusterd`),
/// e.g. `standby; leader dss1; quorate 3/3` or `active dataiku; leader dss1; quorate 2/3`.
struct DaemonStatus: Equatable, Sendable {
    enum Role: Equatable, Sendable {
        case starting
        case standby
        /// Holding (or taking over) the service.
        case active(service: String)
        case witness
        case stopping
    }

    var role: Role
    var leader: String?
    /// Votes seen and votes configured; nil while the runtime has not reported yet.
    var votes: (seen: Int, expected: Int)?
    var quorate: Bool

    init(role: Role, leader: String? = nil, votes: (seen: Int, expected: Int)? = nil, quorate: Bool = false) {
        self.role = role
        self.leader = leader
        self.votes = votes
        self.quorate = quorate
    }

    var text: String {
        let roleText: String
        switch role {
        case .starting: roleText = "starting"
        case .standby: roleText = "standby"
        case let .active(service): roleText = "active \(service)"
        case .witness: roleText = "witness"
        case .stopping: roleText = "stopping"
        }
        let leaderText = leader.map { "leader \($0)" } ?? "no leader"
        let quorumText: String
        if let votes {
            quorumText = "\(quorate ? "quorate" : "no quorum") \(votes.seen)/\(votes.expected)"
        } else {
            quorumText = "quorum unknown"
        }
        return "\(roleText); \(leaderText); \(quorumText)"
    }

    static func == (lhs: DaemonStatus, rhs: DaemonStatus) -> Bool {
        lhs.text == rhs.text
    }
}
