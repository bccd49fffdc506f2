import ClusterHost
import ArgumentParser
import ClusterCore
import Glibc

/// `hactl _lock-probe FILE`: the second process of the on-node flock test of
/// check-storage. Exit 0: it got LOCK_EX; 75: the lock is held elsewhere.
struct LockProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "_lock-probe",
        abstract: "Try flock(LOCK_EX|LOCK_NB) on FILE (used by check-storage).",
        shouldDisplay: false)

    @Argument var file: String

    func run() throws {
        let fd = open(file, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw HactlFailure.failed("open \(file): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { return }
        if errno == EWOULDBLOCK { throw ExitCode(LockProbe.blockedExitStatus) }
        throw HactlFailure.failed("flock \(file): \(String(cString: strerror(errno)))")
    }
}
