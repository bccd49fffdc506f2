import CLinux
import ClusterHost
import ClusterCore
import Glibc

/// One run of an agent executable, supervised the way Pacemaker and keepalived
/// run their helpers:
///
/// - `IsolatedSpawn` with argv = `[path]` only (fence agents ignore stdin when given
///   any argument): its **own process group**, every inherited descriptor above 2 closed,
///   all signal dispositions reset to default and an empty signal mask;
/// - a **scrubbed environment** (`PATH=/usr/sbin:/usr/bin:/sbin:/bin`, `LANG=C`, nothing
///   else: in particular never `PCMK_service`, which makes agents disable their own timeouts);
/// - `input` written to stdin, then stdin closed;
/// - stdout and stderr captured, each bounded to `outputLimit` bytes (the rest is read
///   and discarded so the agent never blocks on a full pipe);
/// - on timeout, `SIGKILL` to the **whole process group** (`kill(-pgid)`) and the leader reaped;
/// - when the agent exits on its own, anything it left running in its process group is killed too
///   (before the agent is reaped, so the group id cannot have been reused).
///
/// Blocking: call it from a thread that may block (`FenceAgentRunner` uses a dedicated thread).
/// Once the agent (the group leader) has exited, output still buffered in the pipes is
/// drained and the run ends. A child that left the group (setsid) is out of reach: fence
/// agents do not do that.
struct AgentProcess {
    enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
        case timedOut
    }

    struct Outcome: Sendable {
        var pid: pid_t
        var termination: Termination
        var stdout: [UInt8]
        var stderr: [UInt8]
        var stdoutTruncated: Bool
        var stderrTruncated: Bool
        var duration: Duration
    }

    /// The complete environment of every agent.
    static let environment = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C"]

    let path: String
    let input: [UInt8]
    let timeout: Duration
    let outputLimit: Int

    /// Writing stdin to an agent that exited early must not kill the daemon with SIGPIPE.
    /// Children get SIGPIPE back at its default through `POSIX_SPAWN_SETSIGDEF`.
    private static let ignoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    func run() throws(FenceError) -> Outcome {
        _ = Self.ignoreSIGPIPE
        let start = ContinuousClock.now
        let stdinPipe = try makePipe()
        let stdoutPipe: (read: Int32, write: Int32)
        let stderrPipe: (read: Int32, write: Int32)
        do {
            stdoutPipe = try makePipe()
        } catch {
            closeAll(stdinPipe.read, stdinPipe.write)
            throw error
        }
        do {
            stderrPipe = try makePipe()
        } catch {
            closeAll(stdinPipe.read, stdinPipe.write, stdoutPipe.read, stdoutPipe.write)
            throw error
        }
        let pid: pid_t
        do {
            pid = try spawn(stdin: stdinPipe.read, stdout: stdoutPipe.write, stderr: stderrPipe.write)
        } catch {
            closeAll(stdinPipe.read, stdinPipe.write, stdoutPipe.read, stdoutPipe.write, stderrPipe.read, stderrPipe.write)
            throw error
        }
        closeAll(stdinPipe.read, stdoutPipe.write, stderrPipe.write)
        for fd in [stdinPipe.write, stdoutPipe.read, stderrPipe.read] {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }

        // Polled with the pipes, so that the exit is seen at once (an agent's run time is the
        // fence step's: a confirmation `status` follows every action).
        let exitFD = hacd_pidfd_open(pid)
        defer { if exitFD >= 0 { _ = close(exitFD) } }
        var pump = AgentIOPump(
            stdinFD: stdinPipe.write, stdoutFD: stdoutPipe.read, stderrFD: stderrPipe.read, exitFD: exitFD,
            pendingInput: input[...], outputLimit: outputLimit)
        let deadline = start.advanced(by: timeout)
        var termination: Termination?
        while termination == nil {
            var status: Int32 = 0
            var info = siginfo_t()
            if waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_signo == SIGCHLD {
                // The agent exited but is not reaped yet, so its process group id cannot have been
                // reused: kill whatever it left behind in the group, then reap it.
                _ = kill(-pid, SIGKILL)
                _ = Syscall.retryingEINTR { waitpid(pid, &status, 0) }
                termination = Self.termination(of: status)
                break
            }
            if ContinuousClock.now >= deadline {
                // Pacemaker does the same: no SIGTERM grace, the whole group at once.
                _ = kill(-pid, SIGKILL)
                _ = Syscall.retryingEINTR { waitpid(pid, &status, 0) }
                termination = .timedOut
                break
            }
            let remaining = ContinuousClock.now.duration(to: deadline)
            pump.pump(waitMilliseconds: Int32(max(1, min(20, remaining.wholeMilliseconds))))
        }
        pump.drainAndClose()
        return Outcome(
            pid: pid, termination: termination!,
            stdout: pump.stdout.bytes, stderr: pump.stderr.bytes,
            stdoutTruncated: pump.stdout.truncated, stderrTruncated: pump.stderr.truncated,
            duration: start.duration(to: .now))
    }

    private static func termination(of status: Int32) -> Termination {
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift does not import.
        let signal = status & 0x7f
        if signal == 0 { return .exited((status >> 8) & 0xff) }
        return .signaled(signal)
    }

    private func makePipe() throws(FenceError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw .spawnFailed(agent: path, call: "pipe", errno: errno) }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return (fds[0], fds[1])
    }

    private func closeAll(_ fds: Int32...) {
        for fd in fds where fd >= 0 { _ = close(fd) }
    }

    private func spawn(stdin: Int32, stdout: Int32, stderr: Int32) throws(FenceError) -> pid_t {
        do {
            return try IsolatedSpawn.spawn([path], environment: Self.environment, searchPath: false, stdin: stdin, stdout: stdout, stderr: stderr)
        } catch {
            throw .spawnFailed(agent: path, call: error.call, errno: error.errno)
        }
    }
}
