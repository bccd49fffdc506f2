import ClusterHost
import ArgumentParser
import ClusterCore
import FoundationEssentials

/// `hactl events [--since D|TIME] [--limit N] [--follow]`.
struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Show the cluster event log: elections, fencing, takeover steps with durations, failures.",
        discussion: """
            With --json: without --follow one object {"events":[...]}; with --follow one event object per line (JSON Lines), as they happen.

            Examples:
              hactl events --since 1h
              hactl events --since 2026-11-21T09:00:00Z
              hactl events --follow
            """)

    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: ArgumentHelp("Only events after this: a duration ago (30min) or an ISO-8601 UTC time.", valueName: "since"))
    var since: String?
    @Option(name: .long, help: "At most this many of the newest events.") var limit: Int?
    @Flag(name: [.short, .long], help: "Keep printing new events as they happen (Ctrl-C to stop).") var follow = false

    func validate() throws {
        _ = try sinceSeconds(now: Date())
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func sinceSeconds(now: Date) throws -> Double? {
        guard let since else { return nil }
        if let time = UTCTimestamp(iso8601: since) { return Double(time.secondsSinceEpoch) }
        do {
            let duration = try DurationText.parse(since)
            let (seconds, attoseconds) = duration.components
            return now.timeIntervalSince1970 - Double(seconds) - Double(attoseconds) / 1e18
        } catch {
            throw ValidationError("--since: expected a duration (30min, 2h) or a time like 2026-11-21T09:00:00Z; \(error)")
        }
    }

    func run() throws {
        let request = ControlRequest.events(since: try sinceSeconds(now: Date()), limit: limit, follow: follow)
        let client = global.client(defaultTimeout: .seconds(10))
        var failure: HactlFailure?
        var sawBacklog = false
        var backlog: [ClusterEvent] = []
        do {
            try client.stream(request) { response in
                switch response {
                case let .error(error):
                    failure = .control(error)
                    return false
                case let .result(.events(events)):
                    sawBacklog = true
                    backlog = events
                    if global.json && !follow {
                        Output.json(["events": events])
                    } else {
                        events.forEach(emit)
                    }
                    return follow
                case let .result(.event(event)):
                    // The daemon subscribes before reading the backlog: skip what was already shown.
                    if !backlog.contains(event) { emit(event) }
                    return true
                case let .result(other):
                    failure = .failed("the daemon answered events with '\(other.type)'")
                    return false
                }
            }
        } catch {
            throw HactlFailure.client(error)
        }
        if let failure { throw failure }
        if !sawBacklog { throw HactlFailure.failed("the daemon sent no events answer") }
    }

    private func emit(_ event: ClusterEvent) {
        if global.json {
            Output.json(event)
        } else {
            Output.text(EventsCommand.line(event))
        }
    }

    /// `2026-11-21T10:00:01.250Z dss1 notice  election.won  dss1 won term 7 (1.2s)`.
    static func line(_ event: ClusterEvent) -> String {
        let whole = UTCTimestamp(secondsSinceEpoch: Int64(event.time.rounded(.down)))
        let millis = Int((event.time - event.time.rounded(.down)) * 1000)
        let millisText = String(repeating: "0", count: 3 - String(millis).count) + String(millis)
        let time = "\(whole.iso8601.dropLast()).\(millisText)Z"
        let severity = event.severity.rawValue + String(repeating: " ", count: max(0, 7 - event.severity.rawValue.count))
        let duration = event.durationMilliseconds.map { " (\(DurationText.format(.milliseconds($0))))" } ?? ""
        return "\(time) \(event.node) \(severity) \(event.kind): \(event.message)\(duration)"
    }
}
