/// One `[[floating_ip]]` entry.
public struct FloatingIPConfig: Sendable, Equatable {
    /// The address without prefix, e.g. `198.18.1.50` or `2001:db8::50` (canonical form after loading).
    public var address: String
    public var prefixLength: Int
    /// nil: the interface on that subnet, found at takeover time.
    public var interface: String?
    /// Gratuitous ARPs (unsolicited neighbour advertisements for IPv6).
    public var arpCount: Int

    public var isIPv6: Bool { address.contains(":") }
    /// `address/prefix`, the address in canonical form (as `ip addr` prints it).
    public var cidr: String { "\(address)/\(prefixLength)" }

    public init(address: String, prefixLength: Int, interface: String? = nil, arpCount: Int = 5) {
        self.address = address
        self.prefixLength = prefixLength
        self.interface = interface
        self.arpCount = arpCount
    }
}
