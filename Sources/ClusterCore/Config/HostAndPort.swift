/// `host:port` or `[IPv6]:port`, as config values write an endpoint (`[metrics] listen`,
/// `[etcd] endpoints`): the host without its brackets, and the port. The callers check the host.
struct HostAndPort {
    var host: Substring
    var port: UInt16
    /// Written in brackets (only an IPv6 literal may be).
    var bracketed: Bool

    /// nil when the port is missing or not a plain decimal 1-65535, or a bracket is unterminated
    /// or not followed by `:port`. An unbracketed host ends at the last ':'.
    init?(_ text: Substring) {
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
            bracketed = true
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            bracketed = false
        }
        guard let number = UInt16(portText), number > 0, String(number) == portText else { return nil }
        port = number
    }
}
