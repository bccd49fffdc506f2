/// What the takeover sequence holds, carried over a re-execution of the daemon.
public struct TakeoverHandover: Sendable, Equatable, Codable {
    public var holdsLock: Bool
    /// `address/prefix` of each floating IP held.
    public var heldAddresses: [String]
    public var touchedUnits: [String]
    public var isActive: Bool

    public init(holdsLock: Bool, heldAddresses: [String], touchedUnits: [String], isActive: Bool) {
        self.holdsLock = holdsLock
        self.heldAddresses = heldAddresses
        self.touchedUnits = touchedUnits
        self.isActive = isActive
    }
}
