@testable import ClusterHost
@testable import ClusterNode
import CoreTestSupport
// `stat` is declared by several modules this file sees (Glibc, CoreFoundation, CLinux); with
// MemberImportVisibility the one the compiler picks must be imported.
import CLinux
import CoreFoundation
import Foundation
import Glibc
import NIOPosix
import Testing

@testable import ClusterCore
import ControlTestSupport

@Suite("Control server over a real Unix socket", .serialized)
struct ControlServerTests {
    func withServer<T>(
        _ handler: FakeControlHandler = FakeControlHandler(), mode: mode_t = 0o660,
        authorization: ControlAuthorization = ControlAuthorization(),
        limits: ControlServer.Limits = ControlServer.Limits(),
        _ body: (String) async throws -> T
    ) async throws -> T {
        let directory = TemporaryDirectory("ctl")
        let path = directory.path + "/run/control.sock"
        let server = try await ControlServer.bind(path: path, handler: handler, authorization: authorization, mode: mode, limits: limits)
        let serving = Task { try await server.run() }
        do {
            let result = try await body(path)
            server.close()
            _ = try? await serving.value
            return result
        } catch {
            server.close()
            _ = try? await serving.value
            throw error
        }
    }

    /// The blocking client runs off the cooperative pool.
    func send(_ request: ControlRequest, to path: String) async throws -> ControlResponse {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try ControlClient(socketPath: path, timeout: .seconds(5)).send(request) })
            }
        }
    }

    /// `prefix`: e.g. `user.command([])` to run the client as another user.
    func raw(_ input: String, to path: String, as prefix: [String] = []) async throws -> String {
        let full = prefix + ["/usr/bin/python3", "-c", rawClientScript, path]
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try runProcess(full, input: input).stdout })
            }
        }
    }

    @Test("status round trip; the handler sees root's credentials from SO_PEERCRED")
    func statusWorks() async throws {
        let handler = FakeControlHandler()
        try await withServer(handler) { path async throws in
            let response = try await send(.status, to: path)
            #expect(response == .result(.status(StatusReportFixtures.spec)))
            let peer = try #require(handler.received.first?.1)
            #expect(peer.uid == getuid())
            #expect(peer.pid == getpid())
            // The socket file: mode 0660, in a directory the server created.
            var info = stat()
            #expect(stat(path, &info) == 0)
            #expect(info.st_mode & 0o777 == 0o660)
            #expect(info.st_mode & S_IFMT == S_IFSOCK)
        }
    }

    @Test("errors reach the client typed")
    func typedErrors() async throws {
        try await withServer { path async throws in
            #expect(try await send(.admin(.disable), to: path) == .error(.noQuorum(votes: 1, expected: 3)))
            #expect(try await send(.admin(.enable), to: path) == .result(.committed(AdminCommit(version: 3, detail: "done"))))
        }
    }

    @Test("a malformed line gets bad_request and the connection stays usable")
    func malformedThenValid() async throws {
        try await withServer { path async throws in
            let output = try await raw("this is not json\n{\"v\":1,\"id\":4,\"request\":{\"type\":\"status\"}}\n", to: path)
            let lines = output.split(separator: "\n").map { Array($0.utf8) }
            try #require(lines.count == 2)
            let first = try ControlProtocol.decodeResponse(lines[0])
            guard case let .error(.badRequest(reason)) = first.response else {
                Issue.record("expected bad_request, got \(first.response)")
                return
            }
            #expect(reason.contains("not a JSON object"))
            let second = try ControlProtocol.decodeResponse(lines[1])
            #expect(second.id == 4)
            #expect(second.response == .result(.status(StatusReportFixtures.spec)))
        }
    }

    @Test("an oversized request gets bad_request, never a crash; the server keeps serving")
    func oversized() async throws {
        try await withServer { path async throws in
            let huge = String(repeating: "x", count: ControlProtocol.maxRequestBytes + 10) + "\n"
            let output = try await raw(huge, to: path)
            let line = try #require(output.split(separator: "\n").first, "no answer")
            let envelope = try ControlProtocol.decodeResponse(Array(line.utf8))
            #expect(envelope.response == .error(.badRequest(reason: "request longer than \(ControlProtocol.maxRequestBytes) bytes")))
            #expect(try await send(.status, to: path) == .result(.status(StatusReportFixtures.spec)))
        }
    }

    @Test("events --follow streams the backlog, then live events")
    func follow() async throws {
        let live = (1...3).map { ClusterEvent(time: Double($0), node: "dss2", kind: .takeoverStart, message: "step \($0)") }
        try await withServer(FakeControlHandler(followed: live)) { path async throws in
            let received: [ControlResponse] = try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global().async {
                    continuation.resume(with: Result {
                        var responses: [ControlResponse] = []
                        try ControlClient(socketPath: path, timeout: .seconds(5)).stream(.events(since: nil, limit: nil, follow: true), idleTimeout: .seconds(5)) { response in
                            responses.append(response)
                            return responses.count < 4
                        }
                        return responses
                    })
                }
            }
            #expect(received.count == 4)
            guard case let .result(.events(backlog)) = received.first else {
                Issue.record("first answer should be the backlog")
                return
            }
            #expect(backlog.count == 1)
            #expect(received.dropFirst().map { response -> String in
                if case let .result(.event(event)) = response { return event.message }
                return "?"
            } == ["step 1", "step 2", "step 3"])
        }
    }

    @Test("a stale socket is replaced; a live one is refused; a regular file is left alone")
    func stalePaths() async throws {
        let directory = TemporaryDirectory("stale")
        let path = directory.path + "/control.sock"
        // A socket file nobody listens on: bind, then close without unlinking.
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(path.utf8))
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        close(fd)
        #expect(FileManager.default.fileExists(atPath: path))

        let server = try await ControlServer.bind(path: path, handler: FakeControlHandler())
        let serving = Task { try await server.run() }
        await #expect(throws: ControlServerError.alreadyInUse(path: path)) {
            _ = try await ControlServer.bind(path: path, handler: FakeControlHandler())
        }
        server.close()
        _ = try? await serving.value
        #expect(!FileManager.default.fileExists(atPath: path), "the socket file is removed when the server stops")

        let file = directory.path + "/not-a-socket"
        _ = FileManager.default.createFile(atPath: file, contents: Data("keep me".utf8))
        await #expect(throws: ControlServerError.notASocket(path: file)) {
            _ = try await ControlServer.bind(path: file, handler: FakeControlHandler())
        }
        #expect(FileManager.default.contents(atPath: file) == Data("keep me".utf8))
    }

    @Test("an unprivileged uid is refused by SO_PEERCRED even when the socket is world-writable")
    func unprivilegedRefused() async throws {
        let outsider = try TestUser("out")
        let handler = FakeControlHandler()
        try await withServer(handler, mode: 0o666) { path async throws in
            let output = try await raw("{\"v\":1,\"id\":1,\"request\":{\"type\":\"status\"}}\n", to: path, as: outsider.command([]))
            let line = try #require(output.split(separator: "\n").first, "no answer")
            let envelope = try ControlProtocol.decodeResponse(Array(line.utf8))
            #expect(envelope.response == .error(.notAuthorized(uid: outsider.uid, user: outsider.name, group: "haclient")))
            let admin = try await raw("{\"v\":1,\"id\":2,\"request\":{\"type\":\"admin\",\"command\":{\"type\":\"enable\"}}}\n", to: path, as: outsider.command([]))
            #expect(admin.contains("not_authorized"))
            #expect(handler.received.isEmpty, "a refused request never reaches the handler")
        }
    }

    @Test("with mode 0660 an outsider cannot even connect")
    func socketModeKeepsOutsidersOut() async throws {
        let outsider = try TestUser("out")
        try await withServer { path async throws in
            let output = try await raw("{\"v\":1,\"id\":1,\"request\":{\"type\":\"status\"}}\n", to: path, as: outsider.command([]))
            #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == "EACCES")
        }
    }

    @Test("a supplementary member of the control group may read and change")
    func groupMemberAllowed() async throws {
        let groupName = "hacdg\(UInt16.random(in: 1000...9999))"
        #expect(try runProcess(["/usr/sbin/groupadd", "--system", groupName]).status == 0)
        defer { _ = try? runProcess(["/usr/sbin/groupdel", groupName]) }
        let member = try TestUser("mem", supplementaryGroup: groupName)
        let outsider = try TestUser("out")
        let handler = FakeControlHandler()
        try await withServer(handler, authorization: ControlAuthorization(group: groupName)) { path async throws in
            // The server gave the socket to the control group: members connect through the mode bits.
            var info = stat()
            #expect(stat(path, &info) == 0)
            #expect(info.st_gid == ControlAuthorization.groupID(named: groupName))
            let status = try await raw("{\"v\":1,\"id\":1,\"request\":{\"type\":\"status\"}}\n", to: path, as: member.command([]))
            let statusLine = try #require(status.split(separator: "\n").first, "no answer")
            #expect(try ControlProtocol.decodeResponse(Array(statusLine.utf8)).response == .result(.status(StatusReportFixtures.spec)))
            let change = try await raw("{\"v\":1,\"id\":2,\"request\":{\"type\":\"admin\",\"command\":{\"type\":\"enable\"}}}\n", to: path, as: member.command([]))
            #expect(change.contains("\"committed\""))
            #expect(handler.received.last?.1.uid == member.uid)
            let refused = try await raw("{\"v\":1,\"id\":3,\"request\":{\"type\":\"status\"}}\n", to: path, as: outsider.command([]))
            #expect(refused.trimmingCharacters(in: .whitespacesAndNewlines) == "EACCES")
        }
    }

    @Test("a member of the read group may run status and events, and is refused every change")
    func readGroupMemberReadsOnly() async throws {
        let readers = "hacdr\(UInt16.random(in: 1000...9999))"
        #expect(try runProcess(["/usr/sbin/groupadd", "--system", readers]).status == 0)
        defer { _ = try? runProcess(["/usr/sbin/groupdel", readers]) }
        let monitor = try TestUser("ro", supplementaryGroup: readers)
        let outsider = try TestUser("out")
        let handler = FakeControlHandler()
        try await withServer(handler, authorization: ControlAuthorization(readGroup: readers)) { path async throws in
            let status = try await raw("{\"v\":1,\"id\":1,\"request\":{\"type\":\"status\"}}\n", to: path, as: monitor.command([]))
            let statusLine = try #require(status.split(separator: "\n").first, "no answer: \(status)")
            #expect(try ControlProtocol.decodeResponse(Array(statusLine.utf8)).response == .result(.status(StatusReportFixtures.spec)))
            let events = try await raw("{\"v\":1,\"id\":2,\"request\":{\"type\":\"events\"}}\n", to: path, as: monitor.command([]))
            #expect(events.contains("\"events\""), "\(events)")
            for change in ["{\"type\":\"admin\",\"command\":{\"type\":\"enable\"}}", "{\"type\":\"fence\",\"node\":\"dss2\"}"] {
                let refused = try await raw("{\"v\":1,\"id\":3,\"request\":\(change)}\n", to: path, as: monitor.command([]))
                #expect(refused.contains("not_authorized") && refused.contains("is neither root nor a member of group 'haclient'"), "\(refused)")
            }
            #expect(!handler.received.contains { $0.0.type == "admin" || $0.0.type == "fence" }, "a refused change reached the handler")
            // Not in the read group: the socket's ACL does not even let it connect.
            let outside = try await raw("{\"v\":1,\"id\":4,\"request\":{\"type\":\"status\"}}\n", to: path, as: outsider.command([]))
            #expect(outside.trimmingCharacters(in: .whitespacesAndNewlines) == "EACCES")
        }
    }

    /// A connected Unix socket to `path` (blocking), or -1.
    static func connectSocket(_ path: String) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0, var address = UnixSocketAddress(path: path), address.connect(fd) == 0 else {
            if fd >= 0 { close(fd) }
            return -1
        }
        return fd
    }

    /// Reads until EOF or `limit`; nil when nothing came within `limit`.
    static func readAll(_ fd: Int32, limit: Duration) -> String? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        var out: [UInt8] = []
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let left = Int32(max(1, (deadline - ContinuousClock.now).wholeMilliseconds))
            guard poll(&poller, 1, left) > 0 else { break }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { return String(decoding: out, as: UTF8.self) }
            out += chunk.prefix(n)
        }
        return nil
    }

    @Test("a connection that sends no complete request in time is closed, also one that dribbles bytes")
    func idleAndSlowConnectionsAreClosed() async throws {
        try await withServer(limits: .init(requestTimeout: .milliseconds(400))) { path async throws in
            let idle = Self.connectSocket(path)
            #expect(idle >= 0)
            defer { close(idle) }
            let started = ContinuousClock.now
            #expect(Self.readAll(idle, limit: .seconds(3)) == "", "closed (EOF) without an answer")
            #expect(ContinuousClock.now - started < .seconds(2))
            // Slower than the timeout in total, but each request is what is timed: a dribbling
            // client is cut off, a quick one is served.
            let slow = Self.connectSocket(path)
            defer { close(slow) }
            let request = Array("{\"v\":1,\"id\":1,\"request\":{\"type\":\"status\"}}\n".utf8)
            for byte in request.prefix(4) {
                _ = [byte].withUnsafeBytes { write(slow, $0.baseAddress, 1) }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(Self.readAll(slow, limit: .seconds(3)) == "", "a client sending a byte every 200 ms is closed after 400 ms")
        }
    }

    @Test("200 idle connections and a one-byte-a-second client do not delay status (median of 5 under 100 ms)")
    func idleConnectionsDoNotDelayStatus() async throws {
        try await withServer(limits: .init(requestTimeout: .seconds(30))) { path async throws in
            let idle = (0..<200).map { _ in Self.connectSocket(path) }
            defer { for fd in idle where fd >= 0 { close(fd) } }
            #expect(idle.allSatisfy { $0 >= 0 }, "all 200 connected (root is not capped per user)")
            let dribbler = Self.connectSocket(path)
            defer { close(dribbler) }
            let dribbling = Task.detached {
                for byte in Array("{\"v\":1,\"id\":9,".utf8) {
                    guard !Task.isCancelled else { return }
                    _ = [byte].withUnsafeBytes { write(dribbler, $0.baseAddress, 1) }
                    try? await Task.sleep(for: .seconds(1))
                }
            }
            defer { dribbling.cancel() }
            var times: [Duration] = []
            for _ in 0..<5 {
                let started = ContinuousClock.now
                #expect(try await send(.status, to: path) == .result(.status(StatusReportFixtures.spec)))
                times.append(ContinuousClock.now - started)
                try await Task.sleep(for: .milliseconds(300))
            }
            let median = times.sorted()[2]
            #expect(median < .milliseconds(100), "status took \(times)")
        }
    }

    @Test("one user may not take every connection: over the per-user cap, a clear busy answer")
    func perUserCap() async throws {
        let user = try TestUser("cap")
        try await withServer(mode: 0o666, limits: .init(maxPerUser: 2)) { path async throws in
            // As the user: two connections held open, then a third that asks for status.
            let script = """
                import socket, sys, time
                held = []
                for _ in range(2):
                    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); held.append(s)
                time.sleep(0.3)
                s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
                # The busy answer may come (and the socket close) before the request is sent.
                try: s.sendall(b'{"v":1,"id":1,"request":{"type":"status"}}\\n')
                except BrokenPipeError: pass
                s.settimeout(3); print(s.recv(4096).decode())
                """
            let command = user.command(["/usr/bin/python3", "-c", script, path])
            let output = try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global().async {
                    continuation.resume(with: Result { let run = try runProcess(command); return run.stdout + "\n(stderr: \(run.stderr))" })
                }
            }
            #expect(output.contains("busy: uid \(user.uid) has 2 control connections open"), "\(output)")
            // Root is not capped per user.
            #expect(try await send(.status, to: path) == .result(.status(StatusReportFixtures.spec)))
        }
    }

    @Test("the client says clearly when no daemon runs")
    func clientWithoutDaemon() throws {
        let directory = TemporaryDirectory("nod")
        #expect(throws: ControlClientError.noSocket(path: directory.path + "/none.sock")) {
            try ControlClient(socketPath: directory.path + "/none.sock").send(.status)
        }
        #expect("\(ControlClientError.noSocket(path: "/run/hacluster/control.sock"))" == "haclusterd is not running on this node (no socket at /run/hacluster/control.sock)")
    }
}
