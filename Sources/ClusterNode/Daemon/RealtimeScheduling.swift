#if canImport(Glibc)
import Glibc
#endif
import ClusterCore
import ClusterHost

/// Real-time scheduling for the daemon's event-loop thread, like corosync's: SCHED_RR at the
/// priority the unit asks for (`HACLUSTERD_REALTIME_PRIORITY`, 1-99), with
/// SCHED_RESET_ON_FORK so that the programs it starts (fence agents, alerts) run at the
/// normal policy. The loop runs the election, heartbeats and lease checks: under load they
/// keep their timing. Where the kernel refuses (no CAP_SYS_NICE, or a cgroup without a
/// real-time budget), the daemon says so and runs at the normal policy.
enum RealtimeScheduling {
    static let variable = "HACLUSTERD_REALTIME_PRIORITY"
    /// `SCHED_RESET_ON_FORK` (linux/sched.h), not exported by Glibc's module.
    static let resetOnFork: Int32 = 0x4000_0000

    /// The priority asked for, or why the value is wrong.
    static func priority(from text: String) -> Result<Int32, ParseError> {
        guard let value = Int32(text.trimmingWhitespace()), (1...99).contains(value) else {
            return .failure(ParseError(text: text))
        }
        return .success(value)
    }

    struct ParseError: Error, CustomStringConvertible {
        var text: String
        var description: String { "\(RealtimeScheduling.variable)=\(text): expected a priority from 1 to 99" }
    }

    /// Switches the calling thread; nil when done, else the error.
    static func applyToCurrentThread(priority: Int32) -> String? {
        var parameters = sched_param(sched_priority: priority)
        guard sched_setscheduler(0, Int32(SCHED_RR) | resetOnFork, &parameters) != 0 else { return nil }
        return ErrnoName.describe(errno)
    }

    /// The calling thread's policy and priority, e.g. (`SCHED_RR`, 50).
    static func currentThread() -> (policy: Int32, priority: Int32) {
        var parameters = sched_param()
        _ = sched_getparam(0, &parameters)
        return (sched_getscheduler(0) & ~resetOnFork, parameters.sched_priority)
    }
}
