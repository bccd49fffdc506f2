/// One `[[node]]` entry.
public struct NodeConfig: Sendable, Equatable {
    public enum Role: String, Sendable, Equatable, CaseIterable {
        /// May run the service.
        case full
        /// Votes for quorum, never runs the service.
        case witness
    }

    public var name: String
    /// One address per network link (IPv4 or IPv6 literal), at least one. `ConfigLoader` stores them
    /// in canonical form (`inet_ntop`: `2001:db8::11`, not `2001:DB8:0::11`).
    public var addresses: [String]
    /// Placement preference; higher wins.
    public var priority: Int
    public var role: Role

    public static let defaultPriority = 100

    public init(name: String, addresses: [String], priority: Int = NodeConfig.defaultPriority, role: Role = .full) {
        self.name = name
        self.addresses = addresses
        self.priority = priority
        self.role = role
    }
}
