/// A parsed `health_url`: plain `http://host[:port][/path]` (no TLS, no credentials).
public struct HealthURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: UInt16
    /// Path and query, starting with `/`.
    public var target: String

    public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        case unsupported(url: String, reason: String)

        public var description: String {
            switch self {
            case let .unsupported(url, reason): "health_url '\(url)': \(reason); expected http://HOST[:PORT]/PATH"
            }
        }
    }

    public init(host: String, port: UInt16 = 80, target: String = "/") {
        self.host = host
        self.port = port
        self.target = target
    }

    public init(parsing url: String) throws {
        guard url.hasPrefix("http://") else {
            throw ParseError.unsupported(url: url, reason: "only http:// is supported")
        }
        let rest = url.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        var target = String(rest.dropFirst(authority.count))
        if target.isEmpty { target = "/" } else if target.hasPrefix("?") { target = "/" + target }
        guard !authority.isEmpty, !authority.contains("@") else {
            throw ParseError.unsupported(url: url, reason: "missing host or credentials in the URL")
        }
        var host = Substring(authority)
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw ParseError.unsupported(url: url, reason: "unterminated [IPv6] host")
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty {
                throw ParseError.unsupported(url: url, reason: "unexpected text after the host")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        }
        var port: UInt16 = 80
        if let portText {
            guard let value = UInt16(portText), value > 0 else {
                throw ParseError.unsupported(url: url, reason: "port '\(portText)' is not 1-65535")
            }
            port = value
        }
        guard !host.isEmpty else { throw ParseError.unsupported(url: url, reason: "missing host") }
        self.init(host: String(host), port: port, target: target)
    }

    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "http://\(shownHost):\(port)\(target)"
    }
}
