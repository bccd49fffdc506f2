import Glibc

/// The IP addresses configured on this machine's interfaces (getifaddrs),
/// normalised so that `2001:DB8::1` and `2001:db8:0::1` compare equal.
struct LocalAddresses {
    let addresses: Set<String>

    init(addresses: Set<String>) {
        self.addresses = addresses
    }

    /// Reads the current interface addresses; an error leaves the set empty
    /// (resolution then falls back to the hostname).
    static func current() -> LocalAddresses {
        var head: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&head) == 0 else { return LocalAddresses(addresses: []) }
        defer { freeifaddrs(head) }
        var found = Set<String>()
        var cursor = head
        while let entry = cursor {
            if let address = entry.pointee.ifa_addr, let text = Self.text(of: address) {
                found.insert(text)
            }
            cursor = entry.pointee.ifa_next
        }
        return LocalAddresses(addresses: found)
    }

    func contains(_ literal: String) -> Bool {
        guard let normal = Self.normalized(literal) else { return false }
        return addresses.contains(normal)
    }

    /// The canonical text of an IPv4 or IPv6 literal, nil if it is neither.
    static func normalized(_ literal: String) -> String? {
        var v4 = in_addr()
        if inet_pton(AF_INET, literal, &v4) == 1 {
            return withUnsafePointer(to: &v4) { format(family: AF_INET, $0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, literal, &v6) == 1 {
            return withUnsafePointer(to: &v6) { format(family: AF_INET6, $0) }
        }
        return nil
    }

    private static func text(of address: UnsafeMutablePointer<sockaddr>) -> String? {
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                withUnsafePointer(to: &v4.pointee.sin_addr) { format(family: AF_INET, $0) }
            }
        case AF_INET6:
            return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                withUnsafePointer(to: &v6.pointee.sin6_addr) { format(family: AF_INET6, $0) }
            }
        default:
            return nil
        }
    }

    private static func format<T>(family: Int32, _ raw: UnsafePointer<T>) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        guard inet_ntop(family, raw, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
