#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A textual IPv4 or IPv6 address checked with `inet_pton`, compared by its bytes
/// (so `2001:db8::1` and `2001:DB8:0::1` are the same address).
public struct IPAddressLiteral: Sendable, Hashable, CustomStringConvertible {
    public enum Family: Sendable, Hashable {
        case ipv4
        case ipv6

        /// Largest prefix length for this family.
        public var bitCount: Int { self == .ipv4 ? 32 : 128 }
    }

    public let family: Family
    /// Network byte order, 4 or 16 bytes.
    public let bytes: [UInt8]

    /// nil unless `text` is a plain IPv4 dotted quad or IPv6 literal (no prefix, no zone, no brackets).
    public init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            family = .ipv4
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            family = .ipv6
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return
        }
        return nil
    }

    /// The canonical text (`inet_ntop`).
    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        var raw = bytes
        let af = family == .ipv4 ? AF_INET : AF_INET6
        let written = raw.withUnsafeMutableBytes { src in
            inet_ntop(af, src.baseAddress, &buffer, socklen_t(buffer.count))
        }
        precondition(written != nil, "inet_ntop failed on \(bytes.count) address bytes")
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `0.0.0.0` or `::`.
    public var isUnspecified: Bool { bytes.allSatisfy { $0 == 0 } }

    /// 127.0.0.0/8 or `::1`.
    public var isLoopback: Bool {
        switch family {
        case .ipv4: bytes[0] == 127
        case .ipv6: bytes.dropLast().allSatisfy { $0 == 0 } && bytes[15] == 1
        }
    }

    /// 224.0.0.0/4, 255.255.255.255 or ff00::/8.
    public var isMulticastOrBroadcast: Bool {
        switch family {
        case .ipv4: (bytes[0] & 0xF0) == 224 || bytes == [255, 255, 255, 255]
        case .ipv6: bytes[0] == 0xFF
        }
    }
}
