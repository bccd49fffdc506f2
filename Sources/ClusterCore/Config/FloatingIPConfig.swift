/// One `[[floating_ip]]` entry.
public struct FloatingIPConfig: Sendable, Equatable {
    /// The address without prefix, e.g. `198.18.1.50` or `2001:db8::50` (canonical form after loading).
    public var address: String
    public var prefixLength: Int
    /// nil: the interface on that subnet, found at takeover time.
    public var interface: String?
    /// Gratuitous ARPs (unsolicited neighbour advertisements for IPv6).
    public var arpCount: Int
    /// IPv4: how long to listen for an answer to the duplicate-address probe (`arping -D`)
    /// before adding the address; zero sends no probe. A takeover pays it when nobody answers,
    /// unless the previous holder is known to have let the address go (confirmed release or
    /// fence: `TakeoverContext.addressesKnownFree`), where it is skipped.
    public var duplicateCheck: Duration
    /// `duplicate_check_always`: probe on every takeover, also after a confirmed release or
    /// fence (for a segment where something outside the cluster may take the address).
    public var duplicateCheckAlways: Bool

    public static let defaultDuplicateCheck = Duration.milliseconds(200)
    /// Longer is refused: the probe delays every takeover.
    public static let maximumDuplicateCheck = Duration.seconds(5)

    public var isIPv6: Bool { address.contains(":") }
    /// `address/prefix`, the address in canonical form (as `ip addr` prints it).
    public var cidr: String { "\(address)/\(prefixLength)" }

    public init(address: String, prefixLength: Int, interface: String? = nil, arpCount: Int = 5,
                duplicateCheck: Duration = FloatingIPConfig.defaultDuplicateCheck, duplicateCheckAlways: Bool = false) {
        self.address = address
        self.prefixLength = prefixLength
        self.interface = interface
        self.arpCount = arpCount
        self.duplicateCheck = duplicateCheck
        self.duplicateCheckAlways = duplicateCheckAlways
    }
}
