import ClusterNode
import ClusterHost
import ClusterCore
// `stat` is declared by several modules this file sees (Glibc, CoreFoundation, CLinux); with
// MemberImportVisibility the one the compiler picks must be imported.
import CLinux
import CoreFoundation
import Foundation
import Glibc
import Testing
import ControlTestSupport

/// The built `hactl` binary: exit statuses, JSON output, keygen, against a real ControlServer.
@Suite("hactl binary", .serialized)
struct HactlBinaryTests {
    @Test("exit 3 with a clear message when no daemon listens")
    func noDaemon() async throws {
        let directory = TemporaryDirectory("nod")
        let missing = directory.path + "/control.sock"
        let result = try await hactl(["--socket", missing, "status"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("haclusterd is not running on this node (no socket at \(missing))"))
        // A stale socket file nobody listens on: also 3.
        let server = try await ControlServer.bind(path: missing, handler: FakeControlHandler())
        server.close()
        let json = try await hactl(["--json", "--socket", missing, "enable"])
        #expect(json.status == 3)
        #expect(json.stdout.contains(#""code":"not_running""#))
    }

    @Test("exit 3 when the daemon's socket accepts but nothing answers (a hung daemon)")
    func hungDaemon() async throws {
        let directory = TemporaryDirectory("hung")
        let path = directory.path + "/control.sock"
        // A listening socket nobody ever accepts on or answers: connect succeeds, the answer never comes.
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        #expect(listen(fd, 8) == 0)
        let result = try await hactl(["--socket", path, "--timeout", "300ms", "status"])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("no answer from haclusterd on \(path) within 0.3s"))
        let json = try await hactl(["--json", "--socket", path, "--timeout", "300ms", "status"])
        #expect(json.status == 3)
        #expect(json.stdout.contains(#""code":"not_responding""#))
    }

    @Test("exit 2 on bad usage and bad durations, with a hint for 10m")
    func badUsage() async throws {
        let unknown = try await hactl(["frobnicate"])
        #expect(unknown.status == 2)
        let missingNode = try await hactl(["ban"])
        #expect(missingNode.status == 2)
        let months = try await hactl(["--socket", "/nonexistent/x.sock", "ban", "dss1", "--lifetime", "10m"])
        #expect(months.status == 2)
        #expect(months.stderr.contains("10min"))
        let zero = try await hactl(["--socket", "/nonexistent/x.sock", "move", "dss2", "--lifetime", "0s"])
        #expect(zero.status == 2)
        let maintenance = try await hactl(["maintenance", "maybe"])
        #expect(maintenance.status == 2)
        let help = try await hactl(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("Examples:"))
        #expect(help.stdout.contains("check-storage"))
    }

    @Test("status: human text and the spec's JSON from a real control socket")
    func status() async throws {
        try await withControlServer { path async throws in
            let text = try await hactl(["--socket", path, "status"])
            #expect(text.status == 0)
            #expect(text.stdout.hasPrefix("Cluster dss_cluster: quorate, 3/3 votes, coordinator dss1, term 7"))
            let json = try await hactl(["--json", "--socket", path, "status"])
            #expect(json.status == 0)
            let decoded = try JSONDecoder().decode(StatusReport.self, from: Data(json.stdout.utf8))
            #expect(decoded == HactlFixtures.status)
            // Options after the command name work too.
            let after = try await hactl(["status", "--socket", path, "--json"])
            #expect(after.stdout == json.stdout)
        }
    }

    @Test("changes: committed → 0, no quorum → 4, rejected → 1, with the request sent as typed")
    func changes() async throws {
        let handler = FakeControlHandler { request in
            switch request {
            case .admin(.disable): .error(.noQuorum(votes: 1, expected: 3))
            case .admin(.ban(node: "dss3", lifetime: _)): .error(.rejected(reason: "dss3 is a witness"))
            case .admin: .result(.committed(AdminCommit(version: 9)))
            default: FakeControlHandler.defaultAnswer(request)
            }
        }
        try await withControlServer(handler) { path async throws in
            let move = try await hactl(["--socket", path, "move", "dss2", "--lifetime", "10min"])
            #expect(move.status == 0)
            #expect(move.stdout.contains("dss2 is preferred for 10min"), "\(move.stdout)")
            let disable = try await hactl(["--socket", path, "disable"])
            #expect(disable.status == 4)
            #expect(disable.stderr.contains("no quorum"))
            let ban = try await hactl(["--json", "--socket", path, "ban", "dss3"])
            #expect(ban.status == 1)
            #expect(ban.stdout.contains(#""code":"rejected""#))
            let maintenance = try await hactl(["--json", "--socket", path, "maintenance", "on"])
            #expect(maintenance.status == 0)
            #expect(maintenance.stdout.contains(#""version":9"#))
            for args in [["enable"], ["clear"], ["clear", "dss1"], ["standby", "dss1"], ["unstandby", "dss1"], ["cleanup"], ["move"]] {
                let result = try await hactl(["--socket", path] + args)
                #expect(result.status == 0, "\(args): \(result.stderr)")
            }
        }
        let commands = handler.received.compactMap { request, _ -> AdminCommand? in
            if case let .admin(command) = request { return command }
            return nil
        }
        #expect(commands.first == .move(node: "dss2", lifetime: .seconds(600)))
        #expect(commands.contains(.maintenance(on: true)))
        #expect(commands.contains(.clear(node: "dss1")))
        #expect(commands.contains(.clear(node: nil)))
        #expect(commands.contains(.standby(node: "dss1")))
        #expect(commands.contains(.move(node: nil, lifetime: nil)))
    }

    @Test("fence: --yes or no terminal fences at once; a failed fence exits 1")
    func fence() async throws {
        let handler = FakeControlHandler { request in
            if case .fence(node: "dss3") = request {
                return .result(.fenced(FenceOutcome(node: "dss3", succeeded: false, detail: "all levels failed: ipmi timed out", durationMilliseconds: 60000)))
            }
            return FakeControlHandler.defaultAnswer(request)
        }
        try await withControlServer(handler) { path async throws in
            let ok = try await hactl(["--socket", path, "fence", "dss2", "--yes"])
            #expect(ok.status == 0)
            #expect(ok.stdout.contains("dss2 fenced by ipmi (level 1)"))
            let failed = try await hactl(["--json", "--socket", path, "fence", "dss3"])
            #expect(failed.status == 1)
            #expect(failed.stderr.contains("NOT fenced"))
            #expect(failed.stdout.contains(#""succeeded":false"#))
        }
    }

    @Test("fence confirm and quorum unblock: --yes sends them, no terminal without --yes sends nothing (exit 2), a refusal exits 1")
    func overrides() async throws {
        let handler = FakeControlHandler()
        try await withControlServer(handler) { path async throws in
            let unconfirmed = try await hactl(["--socket", path, "fence", "confirm", "dss1"])
            #expect(unconfirmed.status == 2)
            #expect(unconfirmed.stderr.contains("add --yes to confirm"))
            let unconfirmedUnblock = try await hactl(["--socket", path, "quorum", "unblock"])
            #expect(unconfirmedUnblock.status == 2)
            #expect(handler.received.isEmpty)

            let confirmed = try await hactl(["--json", "--socket", path, "fence", "confirm", "dss1", "--yes"])
            #expect(confirmed.status == 0)
            #expect(confirmed.stdout.contains(#""action":"fence_confirm""#))
            #expect(confirmed.stdout.contains(#""node":"dss1""#) && confirmed.stdout.contains(#""uid":0"#))
            #expect(handler.received.map(\.0) == [.fenceConfirm(node: "dss1")])

            let refused = try await hactl(["--socket", path, "quorum", "unblock", "--yes"])
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("nothing to unblock: wait_for_all is off"))
            #expect(handler.received.map(\.0).last == .quorumUnblock)

            // `hactl fence NODE` is still the fence itself.
            let fence = try await hactl(["--socket", path, "fence", "dss2", "--yes"])
            #expect(fence.status == 0)
            #expect(handler.received.map(\.0).last == .fence(node: "dss2"))
        }
        let help = try await hactl(["--help"])
        #expect(help.stdout.contains("quorum") && help.stdout.contains("fence confirm"))
    }

    @Test("events: backlog as text and JSON")
    func events() async throws {
        try await withControlServer { path async throws in
            let text = try await hactl(["--socket", path, "events", "--since", "1h"])
            #expect(text.status == 0)
            #expect(text.stdout.contains("1970-01-01T00:00:01.000Z dss1 info    election.won: won term 7"))
            let json = try await hactl(["--json", "--socket", path, "events"])
            #expect(json.stdout.hasPrefix(#"{"events":[{"#))
            let bad = try await hactl(["--socket", path, "events", "--since", "last tuesday"])
            #expect(bad.status == 2)
        }
    }

    @Test("events --follow: backlog, then live events without repeats, until the daemon ends the stream")
    func follow() async throws {
        let backlog = ClusterEvent(time: 1, node: "dss1", kind: .electionWon, message: "won term 7")
        let live = [backlog] + (1...2).map { ClusterEvent(time: Double(10 + $0), node: "dss2", kind: .takeoverStart, message: "step \($0)", durationMilliseconds: 250) }
        try await withControlServer(FakeControlHandler(followed: live, finishFollow: true)) { path async throws in
            let text = try await hactl(["--socket", path, "events", "--follow"])
            #expect(text.status == 0, "\(text.stderr)")
            let lines = text.stdout.split(separator: "\n")
            #expect(lines.count == 3, "the backlog event is not repeated: \(lines)")
            #expect(lines.last == "1970-01-01T00:00:12.000Z dss2 info    takeover.start: step 2 (250ms)")
            let json = try await hactl(["--json", "--socket", path, "events", "--follow"])
            let objects = json.stdout.split(separator: "\n")
            #expect(objects.count == 3)
            #expect(objects.allSatisfy { $0.hasPrefix("{") && $0.hasSuffix("}") }, "JSON Lines")
        }
    }

    @Test("an unprivileged user gets exit 4: by the socket's mode, and by SO_PEERCRED")
    func unprivileged() async throws {
        let outsider = try TestUser("hx")
        try await withControlServer { path async throws in
            let result = try await hactl(["--socket", path, "status"], as: outsider.command([]))
            #expect(result.status == 4)
            #expect(result.stderr.contains("haclient"))
        }
        try await withControlServer(mode: 0o666) { path async throws in
            let result = try await hactl(["--socket", path, "enable"], as: outsider.command([]))
            #expect(result.status == 4)
            #expect(result.stderr.contains("not authorized: user '\(outsider.name)'"))
        }
    }

    @Test("keygen writes 64 random bytes with mode 0600 and refuses to overwrite without --force")
    func keygen() async throws {
        let directory = TemporaryDirectory("key")
        let path = directory.path + "/sub/authkey"
        let first = try await hactl(["keygen", path])
        #expect(first.status == 0, "\(first.stderr)")
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        let key = try #require(FileManager.default.contents(atPath: path))
        #expect(key.count == 64)
        #expect(Set(key).count > 16, "random, not constant")

        let again = try await hactl(["keygen", path])
        #expect(again.status == 1)
        #expect(again.stderr.contains("--force"))
        #expect(FileManager.default.contents(atPath: path) == key)

        let forced = try await hactl(["--json", "keygen", path, "--force"])
        #expect(forced.status == 0)
        #expect(forced.stdout.contains(#""bytes":64"#))
        let replaced = try #require(FileManager.default.contents(atPath: path))
        #expect(replaced.count == 64)
        #expect(replaced != key)
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/sub")
        #expect(leftovers == ["authkey"])
    }

    @Test("config check: exit 0 on a valid configuration with its files, 2 on a bad one naming file and key")
    func configCheck() async throws {
        let directory = TemporaryDirectory("cfg")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var example = try String(contentsOf: root.appendingPathComponent("etc/haclusterd.toml"), encoding: .utf8)
        // The files the example names, made for real in the temporary directory.
        #expect(try await hactl(["keygen", directory.path + "/authkey"]).status == 0)
        example = example.replacingOccurrences(of: "/etc/hacluster/authkey", with: directory.path + "/authkey")
        for name in ["ipmi-dss1.pass", "ipmi-dss2.pass"] {
            let secret = directory.path + "/" + name
            #expect(FileManager.default.createFile(atPath: secret, contents: Data("secret\n".utf8), attributes: [.posixPermissions: 0o600]))
            example = example.replacingOccurrences(of: "/etc/hacluster/" + name, with: secret)
        }
        let valid = directory.path + "/valid.toml"
        try example.write(toFile: valid, atomically: true, encoding: .utf8)
        let ok = try await hactl(["config", "check", valid])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("valid (cluster dss_cluster"))
        let json = try await hactl(["--json", "config", "check", valid])
        #expect(json.stdout.contains(#""valid":true"#))

        let bad = directory.path + "/bad.toml"
        let broken = example.replacingOccurrences(of: #"failure_timeout = "1s""#, with: #"failure_timeout = "10m""#)
        #expect(broken != example)
        try broken.write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try await hactl(["config", "check", bad])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("\(bad):"))
        #expect(refused.stderr.contains("cluster.failure_timeout"))
        // A typo in a fence device option: caught from the agent's own metadata.
        let typo = directory.path + "/typo.toml"
        let withTypo = example.replacingOccurrences(of: #"ip = "10.0.0.101""#, with: #"ipp = "10.0.0.101""#)
        #expect(withTypo != example)
        try withTypo.write(toFile: typo, atomically: true, encoding: .utf8)
        let fenceTypo = try await hactl(["config", "check", typo])
        #expect(fenceTypo.status == 2, "\(fenceTypo.stderr)")
        #expect(fenceTypo.stderr.contains("option 'ipp' is not a parameter of fence_ipmilan"))
        #expect(try await hactl(["config", "check", typo, "--no-files"]).status == 0, "--no-files skips the agents")
        let missing = try await hactl(["config", "check", directory.path + "/none.toml"])
        #expect(missing.status == 2)
        // --config is where status finds the socket: control_socket of that file.
        let socket = directory.path + "/elsewhere.sock"
        try example.replacingOccurrences(of: "/run/hacluster/control.sock", with: socket).write(toFile: valid, atomically: true, encoding: .utf8)
        let status = try await hactl(["--config", valid, "status"])
        #expect(status.status == 3)
        #expect(status.stderr.contains(socket))
    }

    @Test("bash completion is generated and matches etc/hactl.bash-completion")
    func completion() async throws {
        let result = try await hactl(["--generate-completion-script", "bash"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("check-storage"))
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let shipped = try String(contentsOf: root.appendingPathComponent("etc/hactl.bash-completion"), encoding: .utf8)
        #expect(shipped == result.stdout, "regenerate: .build/debug/hactl --generate-completion-script bash > etc/hactl.bash-completion")
    }
}
