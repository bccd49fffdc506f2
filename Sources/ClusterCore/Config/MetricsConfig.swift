/// `[metrics]`: the opt-in Prometheus endpoint. Node-local (not in the digest).
///
/// ```toml
/// [metrics]
/// listen = "127.0.0.1:9664"     # or "[::1]:9664", "198.18.1.11:9664"; absent: no listener
/// ```
public struct MetricsConfig: Sendable, Equatable {
    /// The address to listen on, as written (`127.0.0.1`, `::1`).
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// `host:port` for messages (`[::1]:9664` for IPv6).
    public var endpoint: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Parses `198.18.1.11:9664` or `[::1]:9664`; nil when it is not an address literal and a port 1-65535.
    public static func parse(_ text: String) -> MetricsConfig? {
        let host: Substring
        let port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        }
        guard let address = IPAddressLiteral(String(host)), !address.isMulticastOrBroadcast,
              let number = UInt16(port), number > 0, String(number) == port else { return nil }
        return MetricsConfig(host: address.description, port: number)
    }
}
