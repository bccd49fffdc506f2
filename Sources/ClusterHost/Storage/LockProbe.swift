import ClusterCore

/// A second process that tries `flock(LOCK_EX|LOCK_NB)` on a file and reports through its exit
/// status: 0 it got the lock, 75 (EX_TEMPFAIL) the lock is held elsewhere, anything else an error.
/// `hactl` uses itself (`hactl _lock-probe FILE`); util-linux `flock -n -E 75 FILE true` also fits.
public struct LockProbe: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case acquired
        case blocked
        case failed(String)
    }

    public static let blockedExitStatus: Int32 = 75

    public var executable: String
    /// Arguments before the file name.
    public var arguments: [String]

    public init(executable: String, arguments: [String]) {
        self.executable = executable
        self.arguments = arguments
    }

    /// util-linux flock(1).
    public static let utilLinux = LockProbe(executable: "/usr/bin/flock", arguments: ["-n", "-E", "75"])

    /// Runs the probe on `file` (a `ChildProcess`: own process group, killed on timeout),
    /// blocking the calling thread.
    public func attempt(_ file: String, timeout: Duration = .seconds(10)) -> Outcome {
        let command = [executable] + arguments + [file] + (self == .utilLinux ? ["true"] : [])
        let result: ChildProcess.Result
        do {
            result = try ChildProcess.runBlocking(command, timeout: timeout)
        } catch {
            return .failed(error.description)
        }
        if result.timedOut { return .failed("\(executable) did not finish within \(timeout)") }
        switch result.status {
        case 0: return .acquired
        case Self.blockedExitStatus: return .blocked
        case let status: return .failed(result.diagnostic.isEmpty ? "\(executable) exited with status \(status)" : result.diagnostic)
        }
    }
}
