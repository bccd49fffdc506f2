import ClusterCore
import Glibc

/// One `health_url` check: a plain HTTP/1.1 GET over a TCP socket, bounded by `timeout`
/// from connect to status line; healthy means status 200. Runs on a thread of its own
/// (blocking socket with poll), so a hung server never blocks the cooperative pool.
public struct HealthProbe: HealthChecking {
    public let url: HealthURL
    public var timeout: Duration

    public init(url: HealthURL, timeout: Duration = .seconds(2)) {
        self.url = url
        self.timeout = timeout
    }

    public init(parsing url: String, timeout: Duration = .seconds(2)) throws {
        self.init(url: try HealthURL(parsing: url), timeout: timeout)
    }

    /// nil when healthy, else why not.
    public func check() async -> HealthFailure? {
        let url = self.url
        let timeout = self.timeout
        return await DedicatedThread.run(name: "health check") { Self.checkBlocking(url: url, timeout: timeout) }
    }

    static func checkBlocking(url: HealthURL, timeout: Duration) -> HealthFailure? {
        let shown = url.description
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        func remainingMillis() -> Int32 {
            let left = clock.now.duration(to: deadline)
            return left <= .zero ? 0 : Int32(min(left.wholeMilliseconds + 1, 60_000))
        }

        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(url.host, String(url.port), &hints, &list)
        guard resolved == 0, let first = list else {
            return .resolveFailed(host: url.host, detail: String(cString: gai_strerror(resolved)))
        }
        defer { freeaddrinfo(list) }

        let fd = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return .ioFailed(url: shown, reason: String(cString: strerror(errno))) }
        defer { close(fd) }

        if connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) != 0 {
            guard errno == EINPROGRESS else { return .connectFailed(url: shown, reason: String(cString: strerror(errno))) }
            var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            guard poll(&entry, 1, remainingMillis()) == 1 else { return .timedOut(url: shown, after: timeout) }
            var socketError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length)
            guard socketError == 0 else { return .connectFailed(url: shown, reason: String(cString: strerror(socketError))) }
        }

        let hostHeader = url.host.contains(":") ? "[\(url.host)]:\(url.port)" : "\(url.host):\(url.port)"
        let request = Array("GET \(url.target) HTTP/1.1\r\nHost: \(hostHeader)\r\nUser-Agent: haclusterd\r\nConnection: close\r\n\r\n".utf8)
        var sent = 0
        while sent < request.count {
            let count = Syscall.retryingEINTR { request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
            if count > 0 { sent += count; continue }
            guard count < 0, errno == EAGAIN else { return .ioFailed(url: shown, reason: String(cString: strerror(errno))) }
            var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            guard poll(&entry, 1, remainingMillis()) == 1 else { return .timedOut(url: shown, after: timeout) }
        }

        // Only the status line matters: read until its CRLF (bounded), not the whole body.
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while !received.contains(0x0a), received.count < 8192 {
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, remainingMillis()) == 1 else { return .timedOut(url: shown, after: timeout) }
            let count = Syscall.retryingEINTR { recv(fd, &buffer, buffer.count, 0) }
            if count == 0 { break }
            if count < 0 {
                if errno == EAGAIN { continue }
                return .ioFailed(url: shown, reason: String(cString: strerror(errno)))
            }
            received += buffer[0..<count]
        }
        let line = String(decoding: received.prefix { $0 != 0x0d && $0 != 0x0a }, as: UTF8.self)
        let fields = line.split(separator: " ")
        guard fields.count >= 2, fields[0].hasPrefix("HTTP/1."), let code = Int(fields[1]) else {
            return .malformedResponse(url: shown, firstLine: String(line.prefix(80)))
        }
        return code == 200 ? nil : .status(url: shown, code: code)
    }
}
