/// Why the watchdog device could not be used.
public enum WatchdogError: Error, Sendable, Equatable, CustomStringConvertible {
    case openFailed(path: String, errno: Int32)
    case setTimeoutFailed(path: String, seconds: Int32, errno: Int32)
    case writeFailed(path: String, errno: Int32)

    public var description: String {
        switch self {
        case .openFailed(let path, let errno):
            return "[fencing] watchdog: cannot open \(path): errno \(errno)"
        case .setTimeoutFailed(let path, let seconds, let errno):
            return "[fencing] watchdog_timeout: cannot set \(seconds)s on \(path) (WDIOC_SETTIMEOUT): errno \(errno)"
        case .writeFailed(let path, let errno):
            return "[fencing] watchdog: cannot write to \(path): errno \(errno)"
        }
    }
}
