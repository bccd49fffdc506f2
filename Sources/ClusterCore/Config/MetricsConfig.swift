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
        guard let split = HostAndPort(Substring(text)), split.bracketed || !split.host.contains(":"),
              let address = IPAddressLiteral(String(split.host)), !address.isMulticastOrBroadcast else { return nil }
        return MetricsConfig(host: address.description, port: split.port)
    }
}
