import Logging
import ClusterCore
import ClusterHost
/// Test-only behaviour switched on by environment variables. They exist so the
/// acceptance tests can observe what systemd does at the edges; never set them
/// in production (DEVELOPERS.md lists them):
///
/// - `HACLUSTERD_TEST_READY_DELAY=1500ms`: wait this long after start-up before
///   sending `READY=1`, so a test can see the unit stay `activating` until READY.
/// - `HACLUSTERD_TEST_HANG_EVENT_LOOP=2s`: this long after READY, block the event
///   loop forever, so a test can see systemd's watchdog kill a hung daemon.
/// - `HACLUSTERD_TEST_SELF_FENCE_COMMAND=CMD` (set, even empty): self-fencing runs CMD
///   (the test cluster's "power off this node") and exits with status 70, instead of
///   rebooting the machine every simulated node shares.
/// - `HACLUSTERD_TEST_SYSRQ_TRIGGER=FILE` with `HACLUSTERD_TEST_SYSTEMCTL=PROGRAM`: the
///   real self-fence runs, writing its sysrq key to FILE and running PROGRAM in place of
///   systemctl, so a test reads the bytes the production path writes.
/// - `HACLUSTERD_TEST_WATCHDOG_DOUBLE=1`: `[fencing] watchdog` may be a regular file or a FIFO
///   (the test cluster's watchdog double) instead of a character device.
///
/// Nothing in the configuration selects test behaviour: `systemd_bus = "user"` self-fences
/// for real like any other node.
struct TestHooks: Sendable {
    static let readyDelayVariable = "HACLUSTERD_TEST_READY_DELAY"
    static let hangEventLoopVariable = "HACLUSTERD_TEST_HANG_EVENT_LOOP"
    static let selfFenceCommandVariable = "HACLUSTERD_TEST_SELF_FENCE_COMMAND"
    static let sysrqTriggerVariable = "HACLUSTERD_TEST_SYSRQ_TRIGGER"
    static let systemctlVariable = "HACLUSTERD_TEST_SYSTEMCTL"
    static let watchdogDoubleVariable = "HACLUSTERD_TEST_WATCHDOG_DOUBLE"

    /// How self-fencing is replaced in a test.
    enum SelfFenceHook: Sendable, Equatable {
        /// Run this shell command (none when empty), then exit 70.
        case command(String)
        /// The production self-fence with its two outputs redirected.
        case redirected(trigger: String, systemctl: String)
    }

    var readyDelay: Duration?
    var hangEventLoopAfter: Duration?
    var selfFence: SelfFenceHook?
    var watchdogDouble = false

    init(readyDelay: Duration? = nil, hangEventLoopAfter: Duration? = nil, selfFence: SelfFenceHook? = nil, watchdogDouble: Bool = false) {
        self.readyDelay = readyDelay
        self.hangEventLoopAfter = hangEventLoopAfter
        self.selfFence = selfFence
        self.watchdogDouble = watchdogDouble
    }

    init(environment: [String: String]) throws(DaemonError) {
        readyDelay = try Self.duration(environment, Self.readyDelayVariable)
        hangEventLoopAfter = try Self.duration(environment, Self.hangEventLoopVariable)
        selfFence = try Self.selfFence(environment)
        switch environment[Self.watchdogDoubleVariable] {
        case nil, "", "0": watchdogDouble = false
        case "1": watchdogDouble = true
        case let value?: throw .badTestHook(variable: Self.watchdogDoubleVariable, value: value)
        }
    }

    var isEmpty: Bool { readyDelay == nil && hangEventLoopAfter == nil && selfFence == nil && !watchdogDouble }

    /// Logs, at start, that test behaviour is on: loudly for the self-fence stand-ins.
    func announce(to logger: Logger) {
        if !isEmpty {
            logger.warning("test-only hooks are set in the environment; never use them in production")
        }
        switch selfFence {
        case let .command(command):
            logger.critical("TEST HOOK \(Self.selfFenceCommandVariable) is set: this node will NOT reboot when it must self-fence; it runs '\(command)' and exits 70")
        case let .redirected(trigger, systemctl):
            logger.critical("TEST HOOK \(Self.sysrqTriggerVariable) is set: self-fencing writes to \(trigger) and runs \(systemctl); this node will NOT reboot")
        case nil:
            break
        }
    }

    private static func selfFence(_ environment: [String: String]) throws(DaemonError) -> SelfFenceHook? {
        let command = environment[selfFenceCommandVariable]
        let trigger = environment[sysrqTriggerVariable].flatMap { $0.isEmpty ? nil : $0 }
        let systemctl = environment[systemctlVariable].flatMap { $0.isEmpty ? nil : $0 }
        switch (command, trigger, systemctl) {
        case (nil, nil, nil):
            return nil
        case let (command?, nil, nil):
            return .command(command)
        case let (nil, trigger?, systemctl?):
            return .redirected(trigger: trigger, systemctl: systemctl)
        case (_?, _, _):
            throw .conflictingTestHooks(
                "\(selfFenceCommandVariable) is set together with \(sysrqTriggerVariable)/\(systemctlVariable): expected one self-fence hook")
        case (nil, _, _):
            // Half a redirection would let the real reboot through: refuse to start.
            throw .conflictingTestHooks(
                "\(trigger == nil ? sysrqTriggerVariable : systemctlVariable) is unset: expected both \(sysrqTriggerVariable) and \(systemctlVariable), or neither")
        }
    }

    /// `"1500ms"`, `"2s"` or a bare number of seconds.
    private static func duration(_ environment: [String: String], _ variable: String) throws(DaemonError) -> Duration? {
        guard let value = environment[variable], !value.isEmpty else { return nil }
        if value.hasSuffix("ms"), let millis = Int64(value.dropLast(2)), millis >= 0 {
            return .milliseconds(millis)
        }
        let seconds = value.hasSuffix("s") ? value.dropLast() : Substring(value)
        if let whole = Int64(seconds), whole >= 0 {
            return .seconds(whole)
        }
        throw .badTestHook(variable: variable, value: value)
    }
}
