import ClusterCore
import ClusterHost
/// Watches the running service and reports each failure once (edge-triggered): a unit going
/// `inactive`/`failed`, or `health_url` failing `fall` times in a row after it was healthy.
///
/// Units are polled every `monitorInterval` and, in between, followed through their
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
    private var counter: HealthCounter
    private var armed: [String: Bool] = [:]
    private var tasks: [Task<Void, Never>] = []
    private var generation = 0

    public init(
        units: [String], control: any UnitControlling, health: (any HealthChecking)?,
        monitorInterval: Duration, healthRise: Int = 1, healthFall: Int = 3
    ) {
        let (stream, continuation) = AsyncStream.makeStream(of: ServiceFailure.self, bufferingPolicy: .bufferingNewest(64))
        failures = stream
        self.continuation = continuation
        self.units = units
        self.control = control
        self.health = health
        self.monitorInterval = monitorInterval
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
        tasks.append(Task { await self.poll(generation: current) })
        for unit in units {
            tasks.append(Task { await self.follow(unit, generation: current) })
        }
    }

    public func stop() {
        for task in tasks { task.cancel() }
        tasks = []
        generation += 1
    }

    private func poll(generation current: Int) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: monitorInterval) } catch { return }
            for unit in units {
                // A failed read (bus down) is not a service failure; the next poll retries.
                if let status = try? await control.status(of: unit) { observe(status, generation: current) }
            }
            if let health {
                let failure = await health.check()
                observeHealth(failure, generation: current)
            }
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
        if counter.record(healthy: failure == nil) == .unhealthy, let failure {
            continuation.yield(.unhealthy(failure))
        }
    }
}
