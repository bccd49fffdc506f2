/// A parsed `health_url`: `http://` or `https://` `host[:port][/path]` (no credentials).
public struct HealthURL: Sendable, Equatable, CustomStringConvertible {
    public enum Scheme: String, Sendable, Equatable {
        case http
        case https

        public var defaultPort: UInt16 { self == .http ? 80 : 443 }
    }

    public var scheme: Scheme
    public var host: String
    public var port: UInt16
    /// Path and query, starting with `/`.
    public var target: String

    public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        case unsupported(url: String, reason: String)

        public var description: String {
            switch self {
            case let .unsupported(url, reason): "health_url '\(url)': \(reason); expected http://HOST[:PORT]/PATH or https://HOST[:PORT]/PATH"
            }
        }

        /// Just why, for the configuration's diagnostics (which name the key and value).
        public var reason: String {
            switch self {
            case let .unsupported(_, reason): reason
            }
        }
    }

    public init(scheme: Scheme = .http, host: String, port: UInt16? = nil, target: String = "/") {
        self.scheme = scheme
        self.host = host
        self.port = port ?? scheme.defaultPort
        self.target = target
    }

    public init(parsing url: String) throws(ParseError) {
        let scheme: Scheme
        let rest: Substring
        if url.hasPrefix("http://") {
            scheme = .http
            rest = url.dropFirst("http://".count)
        } else if url.hasPrefix("https://") {
            scheme = .https
            rest = url.dropFirst("https://".count)
        } else {
            throw .unsupported(url: url, reason: "only http:// and https:// are supported")
        }
        guard !url.contains(where: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }) else {
            throw .unsupported(url: url, reason: "white space in the URL")
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        var target = String(rest.dropFirst(authority.count))
        if let fragment = target.firstIndex(of: "#") { target = String(target[..<fragment]) }
        if target.isEmpty { target = "/" } else if target.hasPrefix("?") { target = "/" + target }
        guard !authority.isEmpty, !authority.contains("@") else {
            throw .unsupported(url: url, reason: "missing host or credentials in the URL")
        }
        var host = Substring(authority)
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw .unsupported(url: url, reason: "unterminated [IPv6] host")
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty {
                throw .unsupported(url: url, reason: "unexpected text after the host")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        }
        var port: UInt16?
        if let portText {
            guard let value = UInt16(portText), value > 0 else {
                throw .unsupported(url: url, reason: "port '\(portText)' is not 1-65535")
            }
            port = value
        }
        guard !host.isEmpty else { throw .unsupported(url: url, reason: "missing host") }
        self.init(scheme: scheme, host: String(host), port: port, target: target)
    }

    /// The `Host` header's value.
    public var hostHeader: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return port == scheme.defaultPort ? shownHost : "\(shownHost):\(port)"
    }

    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(scheme.rawValue)://\(shownHost):\(port)\(target)"
    }
}
