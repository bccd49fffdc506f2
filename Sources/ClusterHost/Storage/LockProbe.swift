import ClusterCore
import Foundation

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

    public func attempt(_ file: String, timeout: Duration = .seconds(10)) -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments + [file] + (self == .utilLinux ? ["true"] : [])
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return .failed("cannot start \(executable): \(error)")
        }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            usleep(5_000)
        }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return .failed("\(executable) did not finish within \(timeout)")
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        switch process.terminationStatus {
        case 0: return .acquired
        case Self.blockedExitStatus: return .blocked
        case let status: return .failed(message.isEmpty ? "\(executable) exited with status \(status)" : message)
        }
    }
}
