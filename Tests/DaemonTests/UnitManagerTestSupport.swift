import ClusterNode
import ClusterHost
import Foundation
import Testing
@testable import ClusterCore

/// Synchronous shell helpers for test set-up and tear-down (usable from `defer`).
enum TestShell {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `/bin/sh -c command`, waits (bounded by `timeout` seconds; the shell is killed after).
    @discardableResult
    static func run(_ command: String, timeout: Double = 30) -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return Output(status: -1, stdout: "", stderr: "\(error)") }
        let deadline = Date().addingTimeInterval(timeout)
        // Drain the pipes while waiting so a chatty command cannot block on a full pipe.
        let stdoutData = ShellOutputBuffer()
        let stderrData = ShellOutputBuffer()
        out.fileHandleForReading.readabilityHandler = { stdoutData.append($0.availableData) }
        err.fileHandleForReading.readabilityHandler = { stderrData.append($0.availableData) }
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        process.waitUntilExit()
        out.fileHandleForReading.readabilityHandler = nil
        err.fileHandleForReading.readabilityHandler = nil
        stdoutData.append(out.fileHandleForReading.readDataToEndOfFile())
        stderrData.append(err.fileHandleForReading.readDataToEndOfFile())
        return Output(status: process.terminationStatus, stdout: stdoutData.string, stderr: stderrData.string)
    }

    /// Runs a command that must succeed (set-up); records an issue with its stderr otherwise.
    @discardableResult
    static func must(_ command: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        let output = run(command)
        if output.status != 0 {
            Issue.record("`\(command)` failed (\(output.status)): \(output.stderr)", sourceLocation: sourceLocation)
        }
        return output.stdout
    }

    /// The repository root, from this file's path.
    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }
}

final class ShellOutputBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ more: Data) { lock.withLock { data.append(more) } }
    var string: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}

/// A private systemd user manager (scripts/testlib/user-manager.sh), stopped by `stop()`.
final class TestUserManager: @unchecked Sendable {
    let directory: String
    let environment: [String: String]
    var unitDirectory: String { environment["HACD_UM_UNIT_DIR"]! }
    /// The user bus (dbus-daemon), as `systemd_bus = "user"` would reach it.
    var busAddress: String { environment["DBUS_SESSION_BUS_ADDRESS"]! }
    var privateAddress: String { environment["HACD_UM_PRIVATE_BUS"]! }

    private static let counter = UniqueTestNumber()

    init(tag: String) throws {
        directory = "/tmp/hacd-\(tag)-\(getpid())-\(Self.counter.next())"
        let script = TestShell.repositoryRoot + "/scripts/testlib/user-manager.sh"
        let output = TestShell.run("'\(script)' start '\(directory)'")
        guard output.status == 0 else {
            throw HarnessError.userManager(output.stderr)
        }
        var environment: [String: String] = [:]
        for line in output.stdout.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { environment[String(parts[0])] = String(parts[1]) }
        }
        self.environment = environment
    }

    func writeUnit(_ name: String, _ body: String) throws {
        try body.write(toFile: unitDirectory + "/" + name, atomically: true, encoding: .utf8)
    }

    /// `systemctl --user` against this manager.
    @discardableResult
    func systemctl(_ arguments: String) -> TestShell.Output {
        TestShell.run("XDG_RUNTIME_DIR='\(environment["XDG_RUNTIME_DIR"]!)' systemctl --user \(arguments)")
    }

    /// Stops the manager but keeps the directory (unit files), for `restartManager`.
    func stopManagerOnly() {
        let script = TestShell.repositoryRoot + "/scripts/testlib/user-manager.sh"
        TestShell.run("'\(script)' stop '\(directory)'")
    }

    /// Starts a new manager in the same directory: same bus addresses, same unit files.
    func restartManager() throws {
        let script = TestShell.repositoryRoot + "/scripts/testlib/user-manager.sh"
        let output = TestShell.run("'\(script)' start '\(directory)'")
        guard output.status == 0 else { throw HarnessError.userManager(output.stderr) }
    }

    func stop() {
        let script = TestShell.repositoryRoot + "/scripts/testlib/user-manager.sh"
        TestShell.run("'\(script)' stop '\(directory)'")
        TestShell.run("rm -rf '\(directory)'")
    }

    enum HarnessError: Error, CustomStringConvertible {
        case userManager(String)
        var description: String {
            switch self {
            case let .userManager(log): "could not start a systemd user manager: \(log)"
            }
        }
    }
}

final class UniqueTestNumber: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.withLock { value += 1; return value } }
}

/// Milliseconds of a duration, for printed measurements.
func millis(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    return String(format: "%.1f ms", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
}
