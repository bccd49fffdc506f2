import ClusterCore
import Glibc

/// One address configured on a local interface, as listed by `ip -o addr show`.
public struct InterfaceAddress: Sendable, Equatable {
    public var interface: String
    public var address: String
    public var prefixLength: Int
    public var isIPv6: Bool
    /// Flags after the address, e.g. `tentative`, `dadfailed`, `secondary`.
    public var flags: [String]

    public init(interface: String, address: String, prefixLength: Int, isIPv6: Bool, flags: [String] = []) {
        self.interface = interface
        self.address = address
        self.prefixLength = prefixLength
        self.isIPv6 = isIPv6
        self.flags = flags
    }

    /// Parses `ip -o addr show` output; lines that are not inet/inet6 entries are skipped.
    ///
    ///     2: eth0    inet 198.18.1.11/24 brd 198.18.1.255 scope global eth0\       valid_lft forever ...
    public static func parse(ipOutput: String) -> [InterfaceAddress] {
        ipOutput.split(separator: "\n").compactMap { line in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard fields.count >= 4, fields[2] == "inet" || fields[2] == "inet6" else { return nil }
            let name = fields[1].split(separator: "@").first.map(String.init) ?? fields[1]
            let parts = fields[3].split(separator: "/")
            guard parts.count == 2, let prefix = Int(parts[1]) else { return nil }
            let known: Set<String> = ["tentative", "dadfailed", "secondary", "deprecated", "noprefixroute", "nodad"]
            let flags = fields.dropFirst(4).prefix { !$0.hasPrefix("valid_lft") && $0 != "\\" }.filter { known.contains($0) }
            return InterfaceAddress(interface: name, address: String(parts[0]), prefixLength: prefix,
                                    isIPv6: fields[2] == "inet6", flags: Array(flags))
        }
    }

    /// The address as network-order bytes (4 or 16), nil if it is not a literal.
    public static func bytes(of literal: String) -> [UInt8]? {
        if literal.contains(":") {
            var address = in6_addr()
            guard inet_pton(AF_INET6, literal, &address) == 1 else { return nil }
            return withUnsafeBytes(of: &address) { Array($0) }
        }
        var address = in_addr()
        guard inet_pton(AF_INET, literal, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }

    /// True if `other` lies in the subnet `address/prefixLength` (same family).
    public static func sameSubnet(_ address: String, _ other: String, prefixLength: Int) -> Bool {
        guard let a = bytes(of: address), let b = bytes(of: other), a.count == b.count,
              prefixLength >= 0, prefixLength <= a.count * 8 else { return false }
        var remaining = prefixLength
        for index in 0..<a.count where remaining > 0 {
            let bits = min(remaining, 8)
            let mask = UInt8(truncatingIfNeeded: 0xff << (8 - bits))
            if a[index] & mask != b[index] & mask { return false }
            remaining -= bits
        }
        return true
    }
}
