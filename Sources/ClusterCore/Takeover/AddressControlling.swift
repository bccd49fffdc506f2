/// The floating addresses of a takeover: `FloatingAddress` in production, fakes in unit tests.
public protocol AddressControlling: Sendable {
    /// Adds the address (after checking nobody else on the segment holds it) and announces
    /// it; throws `AddressError`. Adding an address this node already holds succeeds.
    func add(_ address: FloatingIPConfig) async throws
    /// Removes the address; removing an absent address succeeds.
    func remove(_ address: FloatingIPConfig) async throws
    /// The interfaces holding the address on this node right now (normally none or one);
    /// the service monitor checks, while active, that every floating address is still there.
    func holders(of address: FloatingIPConfig) async throws -> [String]
}
