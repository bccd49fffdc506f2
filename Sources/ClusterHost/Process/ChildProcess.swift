import ClusterCore
import FoundationEssentials
import NIOConcurrencyHelpers
internal import CLinux
import Glibc

/// Runs a short-lived helper command (`ip`, `arping`, `systemctl`) with a bounded time:
/// its own process group (killed as a whole on timeout), stdin from /dev/null, a scrubbed
/// environment, stdout and stderr captured.
public struct ChildProcess: Sendable {
    public struct Result: Sendable, Equatable {
        public var command: [String]
        /// Exit status, or 128 + signal number when killed by a signal.
        public var status: Int32
        public var stdout: String
        public var stderr: String
        public var timedOut: Bool
        public var succeeded: Bool { status == 0 && !timedOut }

        /// The last line of stderr (or stdout), for error messages.
        public var diagnostic: String {
            let text = stderr.isEmpty ? stdout : stderr
            return text.split(separator: "\n").last.map(String.init) ?? ""
        }
    }

    static let environment = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"]
    /// Output beyond this is dropped (the helpers used here print a few lines).
    static let outputLimit = 64 * 1024

    /// Runs `command` (looked up in PATH) and waits at most `timeout`.
    /// Throws only when the command cannot be started at all.
    /// - Parameter environment: `NAME=value` entries added to the scrubbed environment.
    public static func run(_ command: [String], timeout: Duration, environment extra: [String] = []) async throws(ChildProcessError) -> Result {
        precondition(!command.isEmpty, "empty command")
        let spawned = try spawn(command, environment: environment + extra)
        return await DedicatedThread.run(name: "child \(command[0])") {
            collect(spawned, command: command, timeout: timeout)
        }
    }

    /// `run`, blocking the calling thread: for command-line tools (`hactl`), not the daemon's tasks.
    public static func runBlocking(_ command: [String], timeout: Duration) throws(ChildProcessError) -> Result {
        precondition(!command.isEmpty, "empty command")
        return collect(try spawn(command), command: command, timeout: timeout)
    }

    /// Starts `command` and returns once it has run for `grace` (or exited earlier), leaving it
    /// to finish in the background, reaped by a thread that waits at most `timeout` in total.
    /// Returns the result if it exited within `grace`, nil if it is still running.
    /// `handle`, when given, can end the child (its whole group) early: `Handle.kill()`.
    public static func start(
        _ command: [String], grace: Duration, timeout: Duration, handle: Handle? = nil,
        onExit: @escaping @Sendable (Result) -> Void = { _ in }
    ) async throws(ChildProcessError) -> Result? {
        precondition(!command.isEmpty, "empty command")
        let spawned = try spawn(command)
        handle?.attach(spawned.pid)
        let early = ExitBox()
        OSThread.start(name: "child \(command[0])") {
            let result = collect(spawned, command: command, timeout: timeout, handle: handle)
            early.set(result)
            onExit(result)
        }
        let clock = ContinuousClock()
        let end = clock.now + grace
        while clock.now < end {
            if let result = early.get() { return result }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return early.get()
    }

    struct Spawned: Sendable {
        var pid: pid_t
        var stdout: Int32
        var stderr: Int32
    }

    private static func spawn(_ command: [String], environment: [String] = Self.environment) throws(ChildProcessError) -> Spawned {
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        guard hacd_pipe2(&outPipe, O_CLOEXEC) == 0 else { throw .spawnFailed(command: command, errno: errno) }
        guard hacd_pipe2(&errPipe, O_CLOEXEC) == 0 else {
            let saved = errno
            close(outPipe[0]); close(outPipe[1])
            throw .spawnFailed(command: command, errno: saved)
        }
        let pid: pid_t
        do {
            pid = try IsolatedSpawn.spawn(command, environment: environment, searchPath: true, stdin: nil, stdout: outPipe[1], stderr: errPipe[1])
        } catch {
            close(outPipe[0]); close(outPipe[1]); close(errPipe[0]); close(errPipe[1])
            throw .spawnFailed(command: command, errno: error.errno)
        }
        close(outPipe[1])
        close(errPipe[1])
        return Spawned(pid: pid, stdout: outPipe[0], stderr: errPipe[0])
    }

    /// Reads both pipes until EOF or the deadline, then reaps the child (killing its group on timeout).
    private static func collect(_ child: Spawned, command: [String], timeout: Duration, handle: Handle? = nil) -> Result {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var out: [UInt8] = []
        var err: [UInt8] = []
        var open: [Int32] = [child.stdout, child.stderr]
        var timedOut = false
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !open.isEmpty {
            let remaining = clock.now.duration(to: deadline)
            if remaining <= .zero { timedOut = true; break }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            // Recomputed when poll is retried after EINTR: the wait never passes the deadline.
            let ready = Syscall.retryingEINTR {
                poll(&fds, nfds_t(fds.count), Int32(clamping: max(0, min(clock.now.duration(to: deadline).wholeMilliseconds + 1, 1000))))
            }
            if ready < 0 { break }
            for entry in fds where entry.revents != 0 {
                let count = Syscall.retryingEINTR { read(entry.fd, &buffer, buffer.count) }
                if count > 0 {
                    if entry.fd == child.stdout {
                        if out.count < outputLimit { out += buffer[0..<count] }
                    } else if err.count < outputLimit {
                        err += buffer[0..<count]
                    }
                } else if count == 0 || errno != EAGAIN {
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        if timedOut {
            kill(-child.pid, SIGKILL)
        }
        close(child.stdout)
        close(child.stderr)
        var status: Int32 = 0
        // Until it is reaped the pid is this child's (a zombie at worst): the handle may kill it.
        handle?.detach()
        _ = Syscall.retryingEINTR { waitpid(child.pid, &status, 0) }
        // The group may hold more processes than the leader (e.g. `ip netns exec` children).
        if timedOut { kill(-child.pid, SIGKILL) }
        let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(
            command: command,
            status: exitStatus,
            stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self),
            timedOut: timedOut
        )
    }
}

/// The first result of a background child, shared between its reaper thread and the starter.
private final class ExitBox: @unchecked Sendable {
    private let lock = NIOLock()
    private var result: ChildProcess.Result?

    func set(_ value: ChildProcess.Result) {
        lock.lock(); defer { lock.unlock() }
        result = value
    }

    func get() -> ChildProcess.Result? {
        lock.lock(); defer { lock.unlock() }
        return result
    }
}

extension ChildProcess {
    /// Ends a child started in the background before it finishes (SIGKILL to its process
    /// group). Safe against pid reuse: it signals only until the reaper takes the pid back.
    public final class Handle: @unchecked Sendable {
        private let lock = NIOLock()
        private var pid: pid_t?
        private var killed = false

        public init() {}

        func attach(_ pid: pid_t) {
            lock.lock(); defer { lock.unlock() }
            self.pid = pid
            if killed { _ = Glibc.kill(-pid, SIGKILL) }
        }

        func detach() {
            lock.lock(); defer { lock.unlock() }
            pid = nil
        }

        /// Whether `kill()` was called (its result then says it was killed: not a failure).
        public var wasKilled: Bool {
            lock.lock(); defer { lock.unlock() }
            return killed
        }

        /// Kills the child's group if it still runs; later calls do nothing.
        public func kill() {
            lock.lock(); defer { lock.unlock() }
            killed = true
            if let pid { _ = Glibc.kill(-pid, SIGKILL) }
        }
    }
}
