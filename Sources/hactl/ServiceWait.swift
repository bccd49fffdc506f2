import ClusterHost
import ClusterCore
import FoundationEssentials
import Glibc

/// Polls the local daemon's status until the service reaches a `ServiceGoal`, printing each
/// change on the way (`--wait` of move, standby, enable and disable).
struct ServiceWait {
    /// How long a failing state must last before the wait gives up on it: a state seen for an
    /// instant (a start failure on the way to another node) is not the end yet.
    static let failingGrace: Duration = .seconds(3)
    static let pollInterval: Duration = .milliseconds(200)
    /// The bound when neither --timeout nor the configuration's timeouts are known.
    static let fallbackBound: Duration = .seconds(15 * 60)

    let goal: ServiceGoal
    let global: GlobalOptions
    let started: ContinuousClock.Instant
    /// Wall-clock seconds when the command began: a takeover timeline older than that is not this one's.
    let startedWall: Int64
    let bound: Duration

    init(goal: ServiceGoal, global: GlobalOptions, started: ContinuousClock.Instant, startedWall: Int64) {
        self.goal = goal
        self.global = global
        self.started = started
        self.startedWall = startedWall
        self.bound = global.timeout.flatMap { try? DurationText.parse($0) } ?? Self.defaultBound(configPath: global.config)
    }

    /// The stop of the service on its node, its start on the next, and a minute for the rest.
    static func defaultBound(configPath: String) -> Duration {
        guard let service = HactlConfig.service(configPath: configPath) else { return fallbackBound }
        // Units start and stop one after the other.
        let stop = service.units.isEmpty ? service.stopTimeout : service.units.map { service.stopTimeout(of: $0) }.reduce(.zero, +)
        let start = service.units.isEmpty ? service.startTimeout : service.units.map { service.startTimeout(of: $0) }.reduce(.zero, +)
        return stop + start + .seconds(60)
    }

    struct Outcome: Encodable {
        var reached: Bool
        var milliseconds: Int64
        var state: String
        var node: String?
        var detail: String
    }

    /// Waits; returns what was reached, or throws `.failed` (exit 1) or `.waitTimedOut` (exit 5).
    func run() throws(HactlFailure) -> Outcome {
        let deadline = started + bound
        let clock = ContinuousClock()
        var lastLine = ""
        var failingSince: ContinuousClock.Instant?
        var unreachable: HactlFailure?
        while true {
            let now = clock.now
            if let report = poll(&unreachable, until: deadline) {
                let verdict = goal.judge(report)
                switch verdict {
                case let .reached(text):
                    return Outcome(reached: true, milliseconds: elapsed(now), state: report.service.state.rawValue, node: report.service.node, detail: text)
                case let .pending(text):
                    failingSince = nil
                    if text != lastLine { progress(text, at: now) }
                    lastLine = text
                case let .failing(text):
                    if text != lastLine { progress(text, at: now) }
                    lastLine = text
                    let since = failingSince ?? now
                    failingSince = since
                    if now - since >= Self.failingGrace {
                        throw .failed(explain("did not get there: \(text)", report))
                    }
                }
            }
            if now >= deadline {
                let last = unreachable.map { "; the daemon did not answer: \($0.message)" } ?? (lastLine.isEmpty ? "" : "; last: \(lastLine)")
                let source = global.timeout == nil ? "the default bound; --timeout sets another" : "--timeout"
                throw .waitTimedOut("gave up waiting for \(goal.describe(service: "the service")) after \(DurationText.format(bound)) (\(source))\(last)")
            }
            let sleep = min(Self.pollInterval, deadline - now)
            let nanoseconds = max(0, sleep.components.seconds * 1_000_000_000 + sleep.components.attoseconds / 1_000_000_000)
            var request = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
            nanosleep(&request, nil)
        }
    }

    /// One status; a daemon that does not answer (restarting, reloading) is retried until the deadline.
    /// Each poll waits at most 5 s, and never past the deadline.
    private func poll(_ unreachable: inout HactlFailure?, until deadline: ContinuousClock.Instant) -> StatusReport? {
        let limit = max(.milliseconds(100), min(.seconds(5), deadline - ContinuousClock.now))
        let failure: HactlFailure
        do {
            switch try ControlClient(socketPath: global.socketPath, timeout: limit).send(.status) {
            case let .result(.status(report)):
                unreachable = nil
                return report
            case let .result(other):
                failure = .failed("the daemon answered status with '\(other.type)'")
            case let .error(error):
                failure = .control(error)
            }
        } catch {
            failure = .client(error)
        }
        if unreachable == nil { Output.warning("waiting: the daemon did not answer status (\(failure.message)); retrying") }
        unreachable = failure
        return nil
    }

    private func progress(_ text: String, at now: ContinuousClock.Instant) {
        guard !global.json else { return }
        Output.text("[\(DurationText.format(.milliseconds(elapsed(now))))] \(text)")
    }

    private func elapsed(_ now: ContinuousClock.Instant) -> Int64 {
        let duration = now - started
        return duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    /// The failure with the last takeover's timeline when the local node made one since the wait began.
    private func explain(_ text: String, _ report: StatusReport) -> String {
        var lines = [text]
        if let failover = report.lastFailover, failover.started.secondsSinceEpoch >= startedWall - 1 {
            let steps = failover.steps.map { "\($0.name) \(DurationText.format(.milliseconds($0.milliseconds)))\($0.ok ? "" : " FAILED")" }
            lines.append("takeover on \(failover.to): \(steps.joined(separator: " -> "))")
            for step in failover.steps where !step.ok {
                if let detail = step.detail { lines.append("  \(step.name): \(detail)") }
            }
        }
        lines.append("the change itself is committed (\(goal.undo)); see `hactl status` and `hactl events --since 10min`")
        return lines.joined(separator: "\n")
    }
}
