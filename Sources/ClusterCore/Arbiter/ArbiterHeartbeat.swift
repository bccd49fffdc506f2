/// One node's disk heartbeat in the arbiter file (`[quorum] tie_breaker = "storage"`): written
/// by that node alone into its own heartbeat block every heartbeat interval. `counter` grows
/// by one per write; a peer whose counter keeps changing is alive on the storage.
/// Sealed with the arbiter key (`ArbiterCodec`), so no other writer can forge it.
public struct ArbiterHeartbeat: Sendable, Equatable, Codable {
    public var node: String
    public var incarnation: Incarnation
    public var term: Term
    /// The node leads its term (in a split 2-node cluster: the node the other must not campaign against).
    public var leader: Bool
    /// The node may run the service (taking over, running or releasing it).
    public var holding: Bool
    public var counter: UInt64
    /// The writer's wall clock, milliseconds since 1970 (shown in status; never compared for liveness).
    public var wallClock: UInt64

    public init(node: String, incarnation: Incarnation, term: Term, leader: Bool, holding: Bool, counter: UInt64, wallClock: UInt64) {
        self.node = node
        self.incarnation = incarnation
        self.term = term
        self.leader = leader
        self.holding = holding
        self.counter = counter
        self.wallClock = wallClock
    }
}
