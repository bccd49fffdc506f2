import ClusterCore
import Foundation
import Glibc

// Support for the tests that run the built hactl binary against a real ControlServer.

/// The built `hactl` (swift build puts it next to the test bundle).
let hactlBinary: String = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return root.appendingPathComponent(".build/debug/hactl").path
}()

enum HactlFixtures {
    static let status = StatusReport(
        cluster: "dss_cluster", node: "dss1", term: 7, coordinator: "dss1",
        quorum: .init(quorate: true, votes: 3, expected: 3), maintenance: false,
        nodes: [
            .init(name: "dss1", state: .online, role: .active),
            .init(name: "dss2", state: .online, role: .standby),
            .init(name: "dss3", state: .online, role: .witness),
        ],
        service: .init(name: "dataiku", state: .started, node: "dss1", enabled: true, failures: ["dss1": 0, "dss2": 0]),
        constraints: [.init(kind: .ban, node: "dss2", expires: UTCTimestamp(iso8601: "2026-11-21T10:00:00Z"))])
}

/// Runs `hactl` with arguments, off the cooperative pool.
func hactl(_ arguments: [String], input: String? = nil, as prefix: [String] = []) async throws -> (status: Int32, stdout: String, stderr: String) {
    guard FileManager.default.isExecutableFile(atPath: hactlBinary) else { throw HactlNotBuilt(path: hactlBinary) }
    return try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try runProcess(prefix + [hactlBinary] + arguments, input: input) })
        }
    }
}

/// The tests run the real binary: `swift build --build-tests` (or `swift build --product hactl`) first.
struct HactlNotBuilt: Error, CustomStringConvertible {
    var path: String
    var description: String { "no hactl binary at \(path): run `swift build --build-tests` first" }
}

/// A ControlServer on a temporary socket for the duration of `body`.
func withControlServer<T>(
    _ handler: FakeControlHandler = FakeControlHandler(), mode: mode_t = 0o660,
    _ body: (String) async throws -> T
) async throws -> T {
    let directory = TemporaryDirectory("hactl")
    let path = directory.path + "/control.sock"
    let server = try await ControlServer.bind(path: path, handler: handler, mode: mode)
    let serving = Task { try await server.run() }
    defer { server.close() }
    let result = try await body(path)
    server.close()
    _ = try? await serving.value
    return result
}

/// A handler that answers from fixtures and records what it was asked.
final class FakeControlHandler: ControlHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var _received: [(ControlRequest, PeerCredentials)] = []
    let answer: @Sendable (ControlRequest) -> ControlResponse
    let followed: [ClusterEvent]
    /// End the live stream after `followed` (a daemon that stops), instead of keeping it open.
    let finishFollow: Bool

    init(followed: [ClusterEvent] = [], finishFollow: Bool = false, answer: @escaping @Sendable (ControlRequest) -> ControlResponse = FakeControlHandler.defaultAnswer) {
        self.answer = answer
        self.followed = followed
        self.finishFollow = finishFollow
    }

    var received: [(ControlRequest, PeerCredentials)] { lock.withLock { _received } }

    func handle(_ request: ControlRequest, from peer: PeerCredentials) async -> ControlResponse {
        lock.withLock { _received.append((request, peer)) }
        return answer(request)
    }

    func followEvents(from peer: PeerCredentials) async -> AsyncStream<ClusterEvent>? {
        let events = followed
        let finish = finishFollow
        return AsyncStream { continuation in
            for event in events { continuation.yield(event) }
            // Otherwise it stays open, like a daemon's live stream.
            if finish { continuation.finish() }
        }
    }

    @Sendable static func defaultAnswer(_ request: ControlRequest) -> ControlResponse {
        switch request {
        case .status: .result(.status(HactlFixtures.status))
        case .events: .result(.events([ClusterEvent(time: 1, node: "dss1", kind: "election.won", message: "won term 7")]))
        case .admin(.disable): .error(.noQuorum(votes: 1, expected: 3))
        case .admin: .result(.committed(AdminCommit(version: 3, detail: "done")))
        case let .fence(node): .result(.fenced(FenceOutcome(node: node, succeeded: true, level: 1, devices: ["ipmi"], detail: "rebooted", durationMilliseconds: 1200)))
        case let .checkStoragePeer(probe): .result(.storagePeer(probe.run(localNode: probe.node)))
        }
    }
}

/// A temporary directory (0755, so that test users can reach sockets in it).
final class TemporaryDirectory {
    let path: String

    init(_ tag: String) {
        let base = "/tmp/hacd-\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        mkdir(base, 0o755)
        chmod(base, 0o755)
        path = base
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Runs a command with a time limit; returns status and output.
func runProcess(_ arguments: [String], input: String? = nil, timeout: Duration = .seconds(20)) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: arguments[0])
    process.arguments = Array(arguments.dropFirst())
    let out = Pipe()
    let err = Pipe()
    let inPipe = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = inPipe
    try process.run()
    if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
    try? inPipe.fileHandleForWriting.close()
    let deadline = ContinuousClock.now + timeout
    // Drain the pipes while waiting so a chatty child cannot block.
    let outData = LockedData()
    let errData = LockedData()
    let group = DispatchGroup()
    for (handle, sink) in [(out.fileHandleForReading, outData), (err.fileHandleForReading, errData)] {
        group.enter()
        DispatchQueue.global().async {
            sink.set(handle.readDataToEndOfFile())
            group.leave()
        }
    }
    while process.isRunning, ContinuousClock.now < deadline { usleep(5000) }
    if process.isRunning {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        throw ProcessTimeout(arguments: arguments)
    }
    process.waitUntilExit()
    _ = group.wait(timeout: .now() + 5)
    return (process.terminationStatus, String(decoding: outData.get(), as: UTF8.self), String(decoding: errData.get(), as: UTF8.self))
}

struct ProcessTimeout: Error {
    var arguments: [String]
}

fileprivate final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.withLock { data = value } }
    func get() -> Data { lock.withLock { data } }
}

/// A system user (and optionally group) made for one test and removed after it.
final class TestUser {
    let name: String
    let uid: UInt32
    let gid: UInt32

    init(_ tag: String, supplementaryGroup: String? = nil) throws {
        name = "hacd\(tag)\(UInt16.random(in: 1000...9999))"
        var arguments = ["/usr/sbin/useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "--user-group"]
        if let supplementaryGroup { arguments += ["--groups", supplementaryGroup] }
        let result = try runProcess(arguments + [name])
        guard result.status == 0, let uid = ControlAuthorization.userID(named: name) else {
            throw TestUserError.cannotCreate(name, result.stderr)
        }
        self.uid = uid
        self.gid = ControlAuthorization.groupID(named: name) ?? uid
    }

    /// `setpriv` the command to this user with its groups from the user database.
    func command(_ arguments: [String]) -> [String] {
        ["/usr/bin/setpriv", "--reuid=\(uid)", "--regid=\(gid)", "--init-groups", "--"] + arguments
    }

    deinit {
        _ = try? runProcess(["/usr/sbin/userdel", name])
    }
}

enum TestUserError: Error {
    case cannotCreate(String, String)
}

/// Sends raw lines to a Unix socket from another process (as another user), prints the answer lines.
let rawClientScript = """
    import socket, sys
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    try:
        s.connect(sys.argv[1])
    except PermissionError:
        print("EACCES"); sys.exit(0)
    s.sendall(sys.stdin.buffer.read())
    s.shutdown(socket.SHUT_WR)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk: break
        data += chunk
    sys.stdout.write(data.decode())
    """
