/// Test-only behaviour switched on by environment variables. They exist so the
/// acceptance tests can observe what systemd does at the edges; never set them
/// in production (DEVELOPERS.md lists them):
///
/// - `HACLUSTERD_TEST_READY_DELAY=1500ms`: wait this long after start-up before
///   sending `READY=1`, so a test can see the unit stay `activating` until READY.
/// - `HACLUSTERD_TEST_HANG_EVENT_LOOP=2s`: this long after READY, block the event
///   loop forever, so a test can see systemd's watchdog kill a hung daemon.
struct TestHooks: Sendable {
    static let readyDelayVariable = "HACLUSTERD_TEST_READY_DELAY"
    static let hangEventLoopVariable = "HACLUSTERD_TEST_HANG_EVENT_LOOP"

    var readyDelay: Duration?
    var hangEventLoopAfter: Duration?

    init(readyDelay: Duration? = nil, hangEventLoopAfter: Duration? = nil) {
        self.readyDelay = readyDelay
        self.hangEventLoopAfter = hangEventLoopAfter
    }

    init(environment: [String: String]) throws(DaemonError) {
        readyDelay = try Self.duration(environment, Self.readyDelayVariable)
        hangEventLoopAfter = try Self.duration(environment, Self.hangEventLoopVariable)
    }

    var isEmpty: Bool { readyDelay == nil && hangEventLoopAfter == nil }

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
