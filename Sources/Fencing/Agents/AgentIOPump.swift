import ClusterHost
import Glibc

/// Moves bytes between the daemon and one running agent without ever blocking on it:
/// writes the options to its stdin, reads stdout and stderr into bounded captures.
struct AgentIOPump {
    struct Capture {
        var fd: Int32
        var bytes: [UInt8] = []
        var truncated = false
        let limit: Int

        mutating func readAvailable() {
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            while fd >= 0 {
                let n = Syscall.retryingEINTR { buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) } }
                if n > 0 {
                    let room = max(0, limit - bytes.count)
                    bytes.append(contentsOf: buffer[0..<min(n, room)])
                    if n > room { truncated = true }
                } else if n < 0 && errno == EAGAIN {
                    return
                } else {
                    _ = close(fd)
                    fd = -1
                }
            }
        }
    }

    var stdinFD: Int32
    var stdout: Capture
    var stderr: Capture
    var pendingInput: ArraySlice<UInt8>
    /// Readable once the agent exited (a pidfd; the pump does not own it), or -1.
    let exitFD: Int32

    init(stdinFD: Int32, stdoutFD: Int32, stderrFD: Int32, exitFD: Int32 = -1,
         pendingInput: ArraySlice<UInt8>, outputLimit: Int) {
        self.stdinFD = stdinFD
        self.stdout = Capture(fd: stdoutFD, limit: outputLimit)
        self.stderr = Capture(fd: stderrFD, limit: outputLimit)
        self.exitFD = exitFD
        self.pendingInput = pendingInput
        if pendingInput.isEmpty { closeStdin() }
    }

    /// Waits at most `waitMilliseconds` for the agent's pipes, or for its exit when there is an
    /// `exitFD` (then the exit ends the wait at once, not at the end of the interval). Without
    /// one, once every pipe is closed the agent is exiting: it waits 1 ms at a time.
    mutating func pump(waitMilliseconds: Int32) {
        var fds: [pollfd] = []
        if stdinFD >= 0 { fds.append(pollfd(fd: stdinFD, events: Int16(POLLOUT), revents: 0)) }
        if stdout.fd >= 0 { fds.append(pollfd(fd: stdout.fd, events: Int16(POLLIN), revents: 0)) }
        if stderr.fd >= 0 { fds.append(pollfd(fd: stderr.fd, events: Int16(POLLIN), revents: 0)) }
        if fds.isEmpty && exitFD < 0 {
            _ = poll(nil, 0, min(waitMilliseconds, 1))
            return
        }
        if exitFD >= 0 { fds.append(pollfd(fd: exitFD, events: Int16(POLLIN), revents: 0)) }
        guard poll(&fds, nfds_t(fds.count), waitMilliseconds) > 0 else { return }
        for entry in fds where entry.revents != 0 {
            if entry.fd == stdinFD { writeInput() }
            else if entry.fd == stdout.fd { stdout.readAvailable() }
            else if entry.fd == stderr.fd { stderr.readAvailable() }
        }
    }

    mutating func drainAndClose() {
        closeStdin()
        stdout.readAvailable()
        stderr.readAvailable()
        // A grandchild may still hold the write ends: what it writes later is not ours to wait for.
        if stdout.fd >= 0 { _ = close(stdout.fd); stdout.fd = -1 }
        if stderr.fd >= 0 { _ = close(stderr.fd); stderr.fd = -1 }
    }

    private mutating func writeInput() {
        while !pendingInput.isEmpty {
            let n = Syscall.retryingEINTR { pendingInput.withUnsafeBytes { write(stdinFD, $0.baseAddress, $0.count) } }
            if n > 0 {
                pendingInput = pendingInput.dropFirst(n)
            } else if n < 0 && errno == EAGAIN {
                return
            } else {
                break  // EPIPE: the agent closed stdin; it gets what it read.
            }
        }
        closeStdin()
    }

    private mutating func closeStdin() {
        if stdinFD >= 0 { _ = close(stdinFD); stdinFD = -1 }
    }
}
