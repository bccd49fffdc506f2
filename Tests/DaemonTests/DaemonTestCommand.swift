import Foundation
import Glibc
import Testing

/// Runs a program to completion with a time bound; output goes through files
/// (never pipes that could fill up and block the child).
struct DaemonTestCommand {
    struct Result: CustomStringConvertible {
        var status: Int32
        var stdout: String
        var stderr: String
        var timedOut: Bool

        var description: String {
            "exit \(status)\(timedOut ? " (timed out)" : "")\nstdout: \(stdout)\nstderr: \(stderr)"
        }
    }

    /// Runs `arguments` (the first is an absolute path or found on PATH) and waits at most `timeout`.
    @discardableResult
    static func run(
        _ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(30)
    ) throws -> Result {
        let process = try Launched(arguments, environment: environment)
        let finished = process.wait(upTo: timeout)
        if !finished { process.kill() }
        return Result(status: process.status, stdout: process.stdout, stderr: process.stderr, timedOut: !finished)
    }

    /// A started process (its own process group) whose output is collected in temporary files.
    ///
    /// Spawned with posix_spawn and every inherited descriptor above stderr closed:
    /// Foundation's `Process` notices an exit only when all descendants have closed an
    /// inherited socket, so a daemon left running by a script would look like a hang.
    final class Launched {
        let pid: pid_t
        private let outPath: String
        private let errPath: String
        private var exitStatus: Int32?
        private var killedBy: Int32?

        init(_ arguments: [String], environment: [String: String] = [:]) throws {
            let id = UUID().uuidString
            outPath = "/tmp/hacd-cmd-\(id).out"
            errPath = "/tmp/hacd-cmd-\(id).err"
            var merged = ProcessInfo.processInfo.environment
            // A test runner started by systemd must not make the child believe it is under systemd.
            for key in ["NOTIFY_SOCKET", "JOURNAL_STREAM", "INVOCATION_ID", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID"] {
                merged[key] = nil
            }
            merged.merge(environment) { _, new in new }
            // A daemon under test never reboots the test machine: unless the test redirects
            // the real self-fence, self-fencing only exits (status 70).
            if arguments[0] == DaemonTestPaths.daemonBinary, merged["HACLUSTERD_TEST_SYSRQ_TRIGGER"] == nil,
               merged["HACLUSTERD_TEST_SELF_FENCE_COMMAND"] == nil {
                merged["HACLUSTERD_TEST_SELF_FENCE_COMMAND"] = ""
            }
            let executable = arguments[0].hasPrefix("/") ? arguments[0] : Self.find(arguments[0], in: merged["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin")

            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            Self.closeFrom3(&actions)

            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            var defaults = sigset_t()
            sigfillset(&defaults)
            sigdelset(&defaults, SIGKILL)
            sigdelset(&defaults, SIGSTOP)
            var empty = sigset_t()
            sigemptyset(&empty)
            posix_spawnattr_setsigdefault(&attributes, &defaults)
            posix_spawnattr_setsigmask(&attributes, &empty)
            posix_spawnattr_setpgroup(&attributes, 0)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

            let argv = ([executable] + arguments.dropFirst()).map { strdup($0) } + [nil]
            let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer {
                argv.forEach { free($0) }
                envp.forEach { free($0) }
            }
            var child: pid_t = 0
            let rc = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
            guard rc == 0 else {
                throw DaemonTestFailure("cannot start \(arguments): \(String(cString: strerror(rc)))")
            }
            pid = child
        }

        /// `posix_spawn_file_actions_addclosefrom_np(actions, 3)` (glibc 2.34+), which the
        /// Glibc module does not import: looked up with dlsym, called with the C convention.
        private static func closeFrom3(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>) {
            typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
                preconditionFailure("glibc without posix_spawn_file_actions_addclosefrom_np (needs 2.34+)")
            }
            _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(actions, 3)
        }

        private static func find(_ name: String, in path: String) -> String {
            for directory in path.split(separator: ":") where access("\(directory)/\(name)", X_OK) == 0 {
                return "\(directory)/\(name)"
            }
            return name
        }

        /// Reaps the child if it has exited (never blocks).
        private func poll() {
            guard exitStatus == nil && killedBy == nil else { return }
            var status: Int32 = 0
            let rc = waitpid(pid, &status, WNOHANG)
            guard rc == pid else { return }
            if status & 0x7f == 0 {
                exitStatus = (status >> 8) & 0xff
            } else {
                killedBy = status & 0x7f
            }
        }

        var isRunning: Bool {
            poll()
            return exitStatus == nil && killedBy == nil
        }

        /// Exit status; -1 while running, 128+N when killed by signal N.
        var status: Int32 {
            poll()
            if let exitStatus { return exitStatus }
            if let killedBy { return 128 + killedBy }
            return -1
        }

        var terminatedBySignal: Bool {
            poll()
            return killedBy != nil
        }

        var stdout: String { (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "" }
        var stderr: String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }

        /// Waits for the exit; false when still running after `timeout`.
        func wait(upTo timeout: Duration) -> Bool {
            let deadline = ContinuousClock.now + timeout
            while isRunning && ContinuousClock.now < deadline {
                usleep(20_000)
            }
            return !isRunning
        }

        func signal(_ number: Int32) {
            if isRunning { Glibc.kill(pid, number) }
        }

        /// SIGKILL to the child's process group (it may have started helpers), then reap (bounded).
        func kill() {
            if isRunning { Glibc.kill(-pid, SIGKILL) }
            _ = wait(upTo: .seconds(5))
        }

        deinit {
            kill()
            unlink(outPath)
            unlink(errPath)
        }
    }
}

/// Waits until `condition` holds, polling every `interval`; false after `timeout`.
func eventually(
    within timeout: Duration, every interval: Duration = .milliseconds(50), _ condition: () throws -> Bool
) rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        Thread.sleep(forTimeInterval: Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18)
    }
}
