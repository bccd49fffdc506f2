import ClusterCore
import Glibc

/// The IP addresses configured on this machine's interfaces (getifaddrs), compared by value
/// (`IPAddressLiteral`), so that `2001:DB8::1` and `2001:db8:0::1` are the same address.
struct LocalAddresses {
    let addresses: Set<IPAddressLiteral>

    init(addresses: Set<IPAddressLiteral>) {
        self.addresses = addresses
    }

    /// From texts as `ip addr` prints them: a prefix length or zone id is ignored.
    init(texts: [String]) {
        addresses = Set(texts.compactMap { IPAddressLiteral(String($0.prefix { $0 != "%" && $0 != "/" })) })
    }

    /// Reads the current interface addresses; an error leaves the set empty
    /// (resolution then falls back to the hostname).
    static func current() -> LocalAddresses {
        var head: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&head) == 0 else { return LocalAddresses(addresses: []) }
        defer { freeifaddrs(head) }
        var found = Set<IPAddressLiteral>()
        var cursor = head
        while let entry = cursor {
            if let address = entry.pointee.ifa_addr, let literal = Self.literal(of: address) {
                found.insert(literal)
            }
            cursor = entry.pointee.ifa_next
        }
        return LocalAddresses(addresses: found)
    }

    func contains(_ literal: String) -> Bool {
        IPAddressLiteral(literal).map { addresses.contains($0) } ?? false
    }

    private static func literal(of address: UnsafeMutablePointer<sockaddr>) -> IPAddressLiteral? {
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                IPAddressLiteral(bytes: withUnsafeBytes(of: v4.pointee.sin_addr) { Array($0) })
            }
        case AF_INET6:
            return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                IPAddressLiteral(bytes: withUnsafeBytes(of: v6.pointee.sin6_addr) { Array($0) })
            }
        default:
            return nil
        }
    }
}
