import ClusterCore
import ClusterHost
import CSystemd
import Glibc

/// Talks to the service manager through `sd_notify`: `READY=1`, `STATUS=`,
/// `WATCHDOG=1`, `STOPPING=1`.
///
/// Outside systemd (`NOTIFY_SOCKET` unset) every call is a no-op, so callers
/// never branch on it. Failures to send are returned, not thrown: a manager that
/// went away must not stop the daemon, but the caller may log it once.
public struct SystemdNotifier: Sendable {
    /// True when the process was started with a `NOTIFY_SOCKET` (`Type=notify`).
    public let isEnabled: Bool
    /// The unit's `WatchdogSec=` when the manager expects pings from this
    /// process, else nil. Ping at half of it (sd_watchdog_enabled(3)).
    public let watchdogTimeout: Duration?

    public init(environment: [String: String]) {
        isEnabled = !(environment["NOTIFY_SOCKET"] ?? "").isEmpty
        var usec: UInt64 = 0
        // 0: do not unset the variables, children we start must not see them anyway
        // because we never pass our environment to units (systemd starts those).
        if isEnabled, sd_watchdog_enabled(0, &usec) > 0, usec > 0 {
            watchdogTimeout = .microseconds(Int64(clamping: usec))
        } else {
            watchdogTimeout = nil
        }
    }

    /// The interval at which the event loop should send `WATCHDOG=1`.
    public var watchdogPingInterval: Duration? {
        watchdogTimeout.map { $0 / 2 }
    }

    /// `READY=1` with an initial status line.
    @discardableResult
    public func ready(status: String) -> Int32 {
        send("READY=1\nSTATUS=\(Self.oneLine(status))")
    }

    @discardableResult
    public func status(_ text: String) -> Int32 {
        send("STATUS=\(Self.oneLine(text))")
    }

    @discardableResult
    public func watchdogPing() -> Int32 {
        send("WATCHDOG=1")
    }

    @discardableResult
    public func stopping(status: String) -> Int32 {
        send("STOPPING=1\nSTATUS=\(Self.oneLine(status))")
    }

    /// Sends raw `KEY=value` lines; returns sd_notify's result (>0 sent,
    /// 0 not under systemd, <0 -errno).
    @discardableResult
    public func send(_ state: String) -> Int32 {
        guard isEnabled else { return 0 }
        return sd_notify(0, state)
    }

    /// A status is one line: newlines would start a new `KEY=` assignment.
    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
