import Foundation
import Testing

/// A real `systemd --user` manager with its own journald, in a private mount
/// namespace and cgroup, started and stopped with `scripts/testlib/user-manager.sh`
/// (DEVELOPERS.md explains the recipe).
final class DaemonTestManager: SystemdTestInstance {
    let directory: URL
    let tag: String
    /// Variables printed by the harness (XDG_RUNTIME_DIR, HACD_UM_PID, ...).
    let environment: [String: String]
    private var stopped = false

    var managerPID: String { environment["HACD_UM_PID"] ?? "" }
    var unitDirectory: URL { URL(fileURLWithPath: environment["HACD_UM_UNIT_DIR"]!) }

    init(directory: URL, tag: String) throws {
        self.directory = directory
        self.tag = tag
        let started = try DaemonTestCommand.run(
            [DaemonTestPaths.userManagerScript, "start", directory.path, tag],
            environment: ["HACD_UM_JOURNALD": "1"], timeout: .seconds(40))
        guard started.status == 0 else {
            _ = try? DaemonTestCommand.run([DaemonTestPaths.userManagerScript, "stop", directory.path, tag])
            throw DaemonTestFailure("user manager did not start: \(started)")
        }
        var values: [String: String] = [:]
        for line in started.stdout.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        environment = values
        guard values["HACD_UM_PID"] != nil, values["XDG_RUNTIME_DIR"] != nil else {
            throw DaemonTestFailure("user manager harness printed no environment: \(started)")
        }
        // journald starts in the background: wait (bounded) for its socket in the namespace.
        let journalUp = try eventually(within: .seconds(10), every: .milliseconds(100)) {
            try inNamespace(["test", "-S", "/run/systemd/journal/socket"], timeout: .seconds(5)).status == 0
        }
        guard journalUp else { throw DaemonTestFailure("no journald socket in the manager's namespace after 10 s") }
    }

    /// `systemctl --user ARGS` against this manager.
    @discardableResult
    func systemctl(_ arguments: [String], timeout: Duration = .seconds(30)) throws -> DaemonTestCommand.Result {
        try DaemonTestCommand.run(
            ["systemctl", "--user", "--no-pager"] + arguments,
            environment: ["XDG_RUNTIME_DIR": environment["XDG_RUNTIME_DIR"]!, "DBUS_SESSION_BUS_ADDRESS": environment["DBUS_SESSION_BUS_ADDRESS"] ?? ""],
            timeout: timeout)
    }

    /// Unit properties (`systemctl --user show -p A -p B UNIT`).
    func show(_ unit: String, _ properties: [String]) throws -> [String: String] {
        let result = try systemctl(["show", unit] + properties.flatMap { ["-p", $0] }, timeout: .seconds(10))
        var values: [String: String] = [:]
        for line in result.stdout.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        return values
    }

    /// Runs a command inside the manager's mount namespace (to see its /run: journal files, sockets).
    func inNamespace(_ arguments: [String], timeout: Duration = .seconds(20)) throws -> DaemonTestCommand.Result {
        try DaemonTestCommand.run(["nsenter", "-t", managerPID, "-m", "--"] + arguments, timeout: timeout)
    }

    /// Journal entries of `SYSLOG_IDENTIFIER=identifier`, as JSON objects (string values).
    func journal(identifier: String) throws -> [[String: String]] {
        let result = try inNamespace([
            "journalctl", "--directory=/run/log/journal", "--no-pager", "-o", "json",
            "SYSLOG_IDENTIFIER=\(identifier)",
        ])
        return result.stdout.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return object.compactMapValues { $0 as? String }
        }
    }

    /// The last `lines` lines of the whole journal in the namespace (manager and units), for failure messages.
    func journalText(lines: Int = 80) -> String {
        let result = try? inNamespace([
            "journalctl", "--directory=/run/log/journal", "--no-pager", "-o", "short-precise", "-n", "\(lines)",
        ])
        return result?.stdout ?? "(no journal)"
    }

    /// Stops the manager, its units and journald; removes its cgroup. Idempotent.
    func stop() {
        guard !stopped else { return }
        stopped = true
        _ = try? DaemonTestCommand.run([DaemonTestPaths.userManagerScript, "stop", directory.path, tag], timeout: .seconds(40))
    }

    deinit { stop() }
}

/// A private systemd manager of a test (a user manager, or a system instance) into which
/// the test writes unit files.
protocol SystemdTestInstance: AnyObject {
    var unitDirectory: URL { get }
    func systemctl(_ arguments: [String], timeout: Duration) throws -> DaemonTestCommand.Result
}

extension SystemdTestInstance {
    /// Writes a unit (and optionally a drop-in `NAME.d/test.conf`), then `daemon-reload`.
    func writeUnit(named name: String, contents: String, dropIn: String? = nil) throws {
        try contents.write(to: unitDirectory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        if let dropIn {
            let directory = unitDirectory.appendingPathComponent("\(name).d")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try dropIn.write(to: directory.appendingPathComponent("test.conf"), atomically: true, encoding: .utf8)
        }
        let reload = try systemctl(["daemon-reload"], timeout: .seconds(30))
        guard reload.status == 0 else { throw DaemonTestFailure("daemon-reload failed: \(reload)") }
    }
}

struct DaemonTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
