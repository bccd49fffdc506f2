/// `[etcd]`: where leadership and admin state live when `[cluster] backend = "etcd"`.
///
/// ```toml
/// [etcd]
/// endpoints = ["https://10.0.0.5:2379", "https://10.0.0.6:2379", "https://10.0.0.7:2379"]
/// prefix = "/haclusterd/dss"        # default "/haclusterd/<cluster name>"
/// lease_ttl = "5s"                  # whole seconds, 2s to 3600s
/// ca_file = "/etc/haclusterd/etcd-ca.pem"
/// cert_file = "/etc/haclusterd/etcd-client.pem"
/// key_file = "/etc/haclusterd/etcd-client-key.pem"
/// ```
public struct EtcdConfig: Sendable, Equatable {
    /// One etcd client URL: `http://host:port` or `https://host:port`.
    public struct Endpoint: Sendable, Equatable, Hashable, CustomStringConvertible {
        public var tls: Bool
        /// An IP address literal (without brackets) or a host name.
        public var host: String
        public var port: Int

        public init(tls: Bool, host: String, port: Int) {
            self.tls = tls
            self.host = host
            self.port = port
        }

        public var description: String {
            let shown = host.contains(":") ? "[\(host)]" : host
            return "\(tls ? "https" : "http")://\(shown):\(port)"
        }

        /// The address literal of `host`, if it is one (nil: a host name to resolve).
        public var address: IPAddressLiteral? { IPAddressLiteral(host) }

        /// Parses `https://10.0.0.5:2379`, `http://[fd00::5]:2379` or `https://etcd1.example:2379`.
        /// The port is required (etcd has no default port in a URL); no path, user or query.
        public static func parse(_ text: String) -> Endpoint? {
            let tls: Bool
            let rest: Substring
            if text.hasPrefix("https://") {
                tls = true
                rest = text.dropFirst(8)
            } else if text.hasPrefix("http://") {
                tls = false
                rest = text.dropFirst(7)
            } else {
                return nil
            }
            guard let split = HostAndPort(rest) else { return nil }
            if split.bracketed {
                guard IPAddressLiteral(String(split.host)) != nil else { return nil }
            } else {
                guard !split.host.isEmpty, split.host.utf8.allSatisfy(Self.isHostByte) else { return nil }
            }
            return Endpoint(tls: tls, host: String(split.host), port: Int(split.port))
        }

        /// Letters, digits, '-' and '.': a host name or an IPv4 literal.
        private static func isHostByte(_ byte: UInt8) -> Bool {
            (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == 45 || byte == 46
        }
    }

    public var endpoints: [Endpoint]
    /// Every key of this cluster lives under it (no trailing '/').
    public var prefix: String
    /// The TTL of the coordinator's etcd lease.
    public var leaseTTL: Duration
    /// PEM files for TLS (absolute paths). `caFile` nil: the system's trust store.
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?

    public static let defaultLeaseTTL = Duration.seconds(5)
    /// etcd grants no lease shorter than its own minimum (about 1.5 election timeouts, 2 s
    /// with its defaults); an hour is far beyond any useful failover time.
    public static let leaseTTLRange = Duration.seconds(2)...Duration.seconds(3600)

    public init(endpoints: [Endpoint], prefix: String, leaseTTL: Duration = defaultLeaseTTL,
                caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil) {
        self.endpoints = endpoints
        self.prefix = prefix
        self.leaseTTL = leaseTTL
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
    }

    public static func defaultPrefix(cluster: String) -> String { "/haclusterd/\(cluster)" }

    /// The lease TTL in etcd's unit (whole seconds).
    public var leaseTTLSeconds: Int64 { leaseTTL.components.seconds }
}
