import ClusterCore
import ClusterHost
/// Watches the running service and reports each failure once (edge-triggered): a unit going
/// `inactive`/`failed`, or `health_url` failing `fall` times in a row after it was healthy.
///
/// Units are polled every `monitorInterval`, the health check runs every `healthInterval`
/// (each check bounded by the probe's own timeout); units are, in between, followed through their
/// PropertiesChanged signals (`UnitControlling.stateChanges`), so a crash is seen within
/// milliseconds; polling covers a lost signal or a broken bus connection. A unit re-arms
/// once it is seen running again; health re-arms once healthy again. A unit restarted by
/// systemd itself (`Restart=`) passes through `activating (auto-restart)` and is not a
/// failure. `TakeoverSequence` stops the monitor around its own stops and starts.
public actor ServiceMonitor {
    public nonisolated let failures: AsyncStream<ServiceFailure>
    private let continuation: AsyncStream<ServiceFailure>.Continuation
    private let units: [String]
    private let control: any UnitControlling
    private let health: (any HealthChecking)?
    private let monitorInterval: Duration
    private let healthInterval: Duration
    private var counter: HealthCounter
    private var armed: [String: Bool] = [:]
    private var tasks: [Task<Void, Never>] = []
    private var generation = 0
    /// The health verdict as `hactl status` shows it, while monitoring with a health check.
    public private(set) var healthView: StatusReport.Health?

    public init(
        units: [String], control: any UnitControlling, health: (any HealthChecking)?,
        monitorInterval: Duration, healthInterval: Duration? = nil, healthRise: Int = 1, healthFall: Int = 3
    ) {
        let (stream, continuation) = AsyncStream.makeStream(of: ServiceFailure.self, bufferingPolicy: .bufferingNewest(64))
        failures = stream
        self.continuation = continuation
        self.units = units
        self.control = control
        self.health = health
        self.monitorInterval = monitorInterval
        self.healthInterval = healthInterval ?? monitorInterval
        counter = HealthCounter(rise: healthRise, fall: healthFall)
    }

    public var isRunning: Bool { !tasks.isEmpty }

    /// Starts watching; the units are expected to be running and healthy (as after a takeover).
    public func start() {
        stop()
        let current = generation
        for unit in units { armed[unit] = true }
        counter.reset()
        _ = counter.record(healthy: true)
        healthView = health == nil ? nil : StatusReport.Health(state: .healthy, detail: "healthy when the service started")
        tasks.append(Task { await self.poll(generation: current) })
        if health != nil { tasks.append(Task { await self.checkHealth(generation: current) }) }
        for unit in units {
            tasks.append(Task { await self.follow(unit, generation: current) })
        }
    }

    public func stop() {
        for task in tasks { task.cancel() }
        tasks = []
        generation += 1
        healthView = nil
    }

    private func poll(generation current: Int) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: monitorInterval) } catch { return }
            for unit in units {
                // A failed read (bus down) is not a service failure; the next poll retries.
                if let status = try? await control.status(of: unit) { observe(status, generation: current) }
            }
        }
    }

    private func checkHealth(generation current: Int) async {
        guard let health else { return }
        while !Task.isCancelled {
            do { try await Task.sleep(for: healthInterval) } catch { return }
            let failure = await health.check()
            observeHealth(failure, generation: current)
        }
    }

    private func follow(_ unit: String, generation current: Int) async {
        guard let changes = try? await control.stateChanges(of: unit) else { return }
        for await status in changes {
            if Task.isCancelled { return }
            observe(status, generation: current)
        }
    }

    private func observe(_ status: UnitStatus, generation current: Int) {
        guard current == generation else { return }
        if status.isDown {
            if armed[status.unit] == true {
                armed[status.unit] = false
                continuation.yield(.unitDown(status))
            }
        } else if status.isRunning {
            armed[status.unit] = true
        }
    }

    private func observeHealth(_ failure: HealthFailure?, generation current: Int) {
        guard current == generation else { return }
        let verdict = counter.record(healthy: failure == nil)
        healthView = Self.view(failure, counter: counter, checked: SystemClock.wallClockSeconds())
        if verdict == .unhealthy, let failure {
            continuation.yield(.unhealthy(failure))
        }
    }

    /// What status shows after a check: the counter's verdict (failures below `fall` still
    /// read healthy, with the failure and the count so far in the detail).
    static func view(_ failure: HealthFailure?, counter: HealthCounter, checked: UInt64) -> StatusReport.Health {
        let state: StatusReport.Health.State = counter.state == .unhealthy ? .unhealthy : .healthy
        let detail: String
        if let failure {
            detail = counter.state == .unhealthy
                ? "\(failure)"
                : "\(failure) (\(counter.failuresInARow) of \(counter.fall) in a row before it counts as a failure)"
        } else {
            detail = "ok"
        }
        return StatusReport.Health(state: state, detail: detail, checked: UTCTimestamp(secondsSinceEpoch: Int64(checked)))
    }
}
