import ClusterCore
import FoundationEssentials
import Glibc

/// The `hactl` side of the control socket: plain blocking I/O, one connection
/// per call, so a `hactl status` costs one connect, one write and one read.
public struct ControlClient: Sendable {
    public var socketPath: String
    /// Limit for connecting, for each write and for each wait for an answer line.
    public var timeout: Duration

    public init(socketPath: String, timeout: Duration = .seconds(10)) {
        self.socketPath = socketPath
        self.timeout = timeout
    }

    /// Sends one request and returns the daemon's answer.
    public func send(_ request: ControlRequest) throws(ControlClientError) -> ControlResponse {
        var answer: ControlResponse?
        try stream(request) { response in
            answer = response
            return false
        }
        guard let answer else { throw .closedEarly(path: socketPath) }
        return answer
    }

    /// Sends one request and passes each answer line to `onResponse` until it returns false or the
    /// daemon closes the connection (`events --follow`). A nil `timeout` here waits for ever between lines.
    public func stream(
        _ request: ControlRequest, idleTimeout: Duration? = nil, onResponse: (ControlResponse) -> Bool
    ) throws(ControlClientError) {
        let fd = try connect()
        defer { Glibc.close(fd) }
        let id = UInt64.random(in: 1...UInt64(UInt32.max))
        let line: Data
        do {
            line = try ControlProtocol.encodeRequest(request, id: id)
        } catch {
            throw .protocolError(path: socketPath, detail: "cannot encode the request: \(error)")
        }
        try write(fd, line)
        if idleTimeout == nil, case .events(_, _, true) = request {
            setTimeout(fd, SO_RCVTIMEO, nil)
        } else if let idleTimeout {
            setTimeout(fd, SO_RCVTIMEO, idleTimeout)
        }
        var reader = LineReader(fd: fd, path: socketPath, limit: ControlProtocol.maxResponseBytes, timeout: timeout)
        var sawAnswer = false
        while let bytes = try reader.nextLine() {
            let envelope: ControlResponseEnvelope
            do {
                envelope = try ControlProtocol.decodeResponse(bytes)
            } catch let error as DecodingError {
                throw .protocolError(path: socketPath, detail: ControlProtocol.describe(error))
            } catch {
                throw .protocolError(path: socketPath, detail: "\(error)")
            }
            if let answerID = envelope.id, answerID != id {
                throw .protocolError(path: socketPath, detail: "answer for request \(answerID), expected \(id)")
            }
            sawAnswer = true
            if !onResponse(envelope.response) { return }
        }
        if !sawAnswer { throw .closedEarly(path: socketPath) }
    }

    private func connect() throws(ControlClientError) -> Int32 {
        guard var address = UnixSocketAddress(path: socketPath) else { throw .pathTooLong(path: socketPath) }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system(path: socketPath, call: "socket", errno: errno) }
        setTimeout(fd, SO_SNDTIMEO, timeout)
        setTimeout(fd, SO_RCVTIMEO, timeout)
        guard address.connect(fd) == 0 else {
            let code = errno
            Glibc.close(fd)
            switch code {
            case ENOENT, ENOTDIR: throw .noSocket(path: socketPath)
            case ECONNREFUSED: throw .notListening(path: socketPath)
            case EACCES, EPERM: throw .permissionDenied(path: socketPath)
            case EAGAIN, ETIMEDOUT: throw .timedOut(path: socketPath, milliseconds: Self.milliseconds(timeout))
            default: throw .system(path: socketPath, call: "connect", errno: code)
            }
        }
        return fd
    }

    private func write(_ fd: Int32, _ data: Data) throws(ControlClientError) {
        var offset = 0
        let path = socketPath
        let timeout = self.timeout
        let failure: ControlClientError? = data.withUnsafeBytes { raw -> ControlClientError? in
            while offset < raw.count {
                let n = Syscall.retryingEINTR { Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL)) }
                if n < 0 {
                    if errno == EAGAIN { return .timedOut(path: path, milliseconds: Self.milliseconds(timeout)) }
                    if errno == EPIPE || errno == ECONNRESET { return .closedEarly(path: path) }
                    return .system(path: path, call: "send", errno: errno)
                }
                offset += n
            }
            return nil
        }
        if let failure { throw failure }
    }

    private func setTimeout(_ fd: Int32, _ option: Int32, _ duration: Duration?) {
        var value = timeval()
        if let duration {
            let (seconds, attoseconds) = duration.components
            value.tv_sec = Int(seconds)
            value.tv_usec = Int(attoseconds / 1_000_000_000_000)
        }
        setsockopt(fd, SOL_SOCKET, option, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

/// Reads newline-terminated lines from a blocking socket.
private struct LineReader {
    let fd: Int32
    let path: String
    let limit: Int
    let timeout: Duration
    private var buffer: [UInt8] = []
    private var eof = false

    init(fd: Int32, path: String, limit: Int, timeout: Duration) {
        self.fd = fd
        self.path = path
        self.limit = limit
        self.timeout = timeout
    }

    mutating func nextLine() throws(ControlClientError) -> ArraySlice<UInt8>? {
        var searchFrom = 0
        while true {
            if let newline = buffer[searchFrom...].firstIndex(of: 0x0A) {
                let line = buffer[..<newline]
                buffer.removeSubrange(...newline)
                return line
            }
            searchFrom = buffer.count
            if eof {
                if buffer.isEmpty { return nil }
                let line = buffer[...]
                buffer.removeAll()
                return line
            }
            guard buffer.count <= limit else {
                throw .protocolError(path: path, detail: "answer longer than \(limit) bytes")
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = Syscall.retryingEINTR { chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) } }
            if n < 0 {
                if errno == EAGAIN { throw .timedOut(path: path, milliseconds: ControlClient.milliseconds(timeout)) }
                if errno == ECONNRESET { throw .closedEarly(path: path) }
                throw .system(path: path, call: "recv", errno: errno)
            }
            if n == 0 {
                eof = true
            } else {
                buffer.append(contentsOf: chunk[..<n])
            }
        }
    }
}
