/// The environment an `[[alert]]` program gets for one event, in the style of Pacemaker's alert
/// agents (`CRM_alert_*`). No secrets: only what `hactl events` shows.
///
/// | variable | value |
/// |---|---|
/// | `HA_EVENT` | the event kind, `fence.failed` (as `hactl events` prints it) |
/// | `HA_SEVERITY` | `info`, `notice`, `warning` or `error` |
/// | `HA_MESSAGE` | the event's line for humans |
/// | `HA_NODE` | the node that recorded the event (the one running the alert) |
/// | `HA_CLUSTER` | `[cluster] name` |
/// | `HA_TERM` | the election term when the alert runs (absent before the first election) |
/// | `HA_TIMESTAMP` | when the event happened, ISO 8601 UTC with milliseconds |
/// | `HA_TIMESTAMP_EPOCH`, `HA_TIMESTAMP_USEC` | the same, as seconds and microseconds |
/// | `HA_DURATION_MS` | the step's duration, for events that close one (takeover steps, fencing) |
/// | `HA_DEVICE` | the fence device, for fence attempts (`fence.attempt`, `fence.attempt.succeeded`, `fence.attempt.failed`) |
/// | `HA_UID` | the operator's uid, for events recording an operator's override (`fence.operator-confirmed`, `quorum.unblocked`) |
/// | `HA_SEQUENCE` | a counter of the daemon's events, increasing (gaps: events this alert does not select) |
/// | `HA_VERSION` | the haclusterd release |
public enum AlertEnvironment {
    public static func variables(_ event: ClusterEvent, cluster: String, term: UInt64?, sequence: UInt64) -> [String] {
        let microseconds = Int64((event.time * 1_000_000).rounded(.down))
        let seconds = microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
        let fraction = microseconds - seconds * 1_000_000
        let iso = UTCTimestamp(secondsSinceEpoch: seconds).iso8601.dropLast()  // the trailing Z
        let milliseconds = String(fraction / 1000)
        var variables = [
            "HA_EVENT=\(event.kind)",
            "HA_SEVERITY=\(event.severity.rawValue)",
            "HA_MESSAGE=\(event.message.filter { $0 != "\u{0}" })",
            "HA_NODE=\(event.node)",
            "HA_CLUSTER=\(cluster)",
            "HA_TIMESTAMP=\(iso).\(String(repeating: "0", count: 3 - milliseconds.count))\(milliseconds)Z",
            "HA_TIMESTAMP_EPOCH=\(seconds)",
            "HA_TIMESTAMP_USEC=\(fraction)",
            "HA_SEQUENCE=\(sequence)",
            "HA_VERSION=\(ProductVersion.current)",
        ]
        if let term { variables.append("HA_TERM=\(term)") }
        if let duration = event.durationMilliseconds { variables.append("HA_DURATION_MS=\(duration)") }
        if let uid = event.uid { variables.append("HA_UID=\(uid)") }
        if let device = event.device { variables.append("HA_DEVICE=\(device)") }
        return variables
    }
}
