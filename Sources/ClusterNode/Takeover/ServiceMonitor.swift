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
///
/// The floating addresses are checked every `monitorInterval` too: one that is no longer on
/// this node (someone ran `ip addr del`) is added back and announced again, with an
/// `ip.restored` warning; when adding it back fails, that is a failure of the service
/// (`addressLost`, once until the address is seen again), restarted or moved like any other.
/// `stop()` waits for a re-add in progress, so an address is never added back after the
/// sequence went on to remove it.
///
/// The storage lock is checked every `monitorInterval` too (`StorageLocking.verify`): a lock
/// file removed or replaced while held is locked again at its path (event `lock.retaken`,
/// the service goes on); when someone else already holds the new file, that is a failure of
/// the service (`lockLost`, once), which the core treats as fatal: released at once, moved.
public actor ServiceMonitor {
    public nonisolated let failures: AsyncStream<ServiceFailure>
    private let continuation: AsyncStream<ServiceFailure>.Continuation
    private let units: [String]
    private let control: any UnitControlling
    private let health: (any HealthChecking)?
    private let monitorInterval: Duration
    private let healthInterval: Duration
    private let floatingIPs: [FloatingIPConfig]
    private let addresses: (any AddressControlling)?
    private let lock: (any StorageLocking)?
    private var lockLost = false
    private let record: @Sendable (EventRecord) -> Void
    private var counter: HealthCounter
    private var armed: [String: Bool] = [:]
    private var tasks: [Task<Void, Never>] = []
    private var addressWatch: Task<Void, Never>?
    /// Addresses whose loss was reported and not yet seen back (edge-triggered, like units).
    private var lostAddresses: Set<String> = []
    /// The interface each address was last seen on, for the event's message.
    private var lastInterface: [String: String] = [:]
    private var generation = 0
    /// The health verdict as `hactl status` shows it, while monitoring with a health check.
    public private(set) var healthView: StatusReport.Health?

    public init(
        units: [String], control: any UnitControlling, health: (any HealthChecking)?,
        monitorInterval: Duration, healthInterval: Duration? = nil, healthRise: Int = 1, healthFall: Int = 3,
        floatingIPs: [FloatingIPConfig] = [], addresses: (any AddressControlling)? = nil,
        lock: (any StorageLocking)? = nil,
        record: @escaping @Sendable (EventRecord) -> Void = { _ in }
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
        self.floatingIPs = floatingIPs
        self.addresses = addresses
        self.lock = lock
        self.record = record
    }

    public var isRunning: Bool { !tasks.isEmpty }

    /// Starts watching; the units are expected to be running and healthy (as after a takeover).
    public func start() {
        cancel()
        let current = generation
        lostAddresses = []
        lockLost = false
        for unit in units { armed[unit] = true }
        counter.reset()
        _ = counter.record(healthy: true)
        healthView = health == nil ? nil : StatusReport.Health(state: .healthy, detail: "healthy when the service started")
        tasks.append(Task { await self.poll(generation: current) })
        if health != nil { tasks.append(Task { await self.checkHealth(generation: current) }) }
        for unit in units {
            tasks.append(Task { await self.follow(unit, generation: current) })
        }
        if let addresses, !floatingIPs.isEmpty {
            addressWatch = Task { await self.watch(addresses, generation: current) }
        }
    }

    /// Stops watching; returns once an address being added back is added (bounded by the
    /// address commands' own timeouts), so the caller may remove it safely.
    public func stop() async {
        let watch = addressWatch
        cancel()
        await watch?.value
    }

    private func cancel() {
        for task in tasks { task.cancel() }
        tasks = []
        addressWatch?.cancel()
        addressWatch = nil
        generation += 1
        healthView = nil
    }

    private func watch(_ addresses: any AddressControlling, generation current: Int) async {
        // The first look at once: it learns each address's interface, for the event's message.
        var first = true
        while !Task.isCancelled {
            if !first {
                do { try await Task.sleep(for: monitorInterval) } catch { return }
            }
            first = false
            for ip in floatingIPs {
                // A failed read is not a failure of the service; the next poll retries.
                guard let holders = try? await addresses.holders(of: ip), !Task.isCancelled else { continue }
                let here = holders.filter { ip.interface == nil || $0 == ip.interface }
                if let interface = here.first {
                    seen(ip, on: interface, generation: current)
                    continue
                }
                guard current == generation, !Task.isCancelled, !lostAddresses.contains(ip.cidr) else { continue }
                let interface = lastInterface[ip.cidr] ?? ip.interface ?? "its interface"
                do {
                    try await addresses.add(ip)
                    restored(ip, interface: interface)
                } catch {
                    lost(ip, interface: interface, error: error, generation: current)
                }
            }
        }
    }

    private func seen(_ ip: FloatingIPConfig, on interface: String, generation current: Int) {
        guard current == generation else { return }
        lastInterface[ip.cidr] = interface
        lostAddresses.remove(ip.cidr)
    }

    private func restored(_ ip: FloatingIPConfig, interface: String) {
        record(EventRecord(kind: .ipRestored, severity: .warning,
                           message: "\(ip.cidr) was removed from \(interface) by someone else; added it back"))
    }

    private func lost(_ ip: FloatingIPConfig, interface: String, error: any Error, generation current: Int) {
        guard current == generation else { return }
        lostAddresses.insert(ip.cidr)
        continuation.yield(.addressLost(address: ip.cidr, reason: "adding it back to \(interface) failed: \(error)"))
    }

    private func poll(generation current: Int) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: monitorInterval) } catch { return }
            for unit in units {
                // A failed read (bus down) is not a service failure; the next poll retries.
                if let status = try? await control.status(of: unit) { observe(status, generation: current) }
            }
            guard let lock, !lockLost else { continue }
            let file = (lock as? SharedStorageLock)?.file ?? "the lock file"
            switch await lock.verify() {
            case .intact:
                break
            case .retaken(let why):
                record(EventRecord(kind: .lockRetaken, severity: .warning, message: "storage lock \(file): \(why)"))
            case .lost(let why):
                guard current == generation, !Task.isCancelled else { continue }
                lockLost = true
                continuation.yield(.lockLost(file: file, reason: why))
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
