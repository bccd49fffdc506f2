import ClusterHost
import ClusterCore
import FoundationEssentials

/// Runs each device's `monitor` action periodically so that a cluster whose fencing
/// is broken says so before fencing is needed. Keeps per-device `DeviceHealth`;
/// emits `fence.device.failing` (warning) when a device starts failing and
/// `fence.device.recovered` (notice) when it passes again.
///
/// Agents without a `monitor` action are checked with `status` when they have it
/// (no target: only device reachability), else reported `unknown`.
public actor FenceMonitor {
    public typealias EventSink = @Sendable (EventRecord) -> Void

    public static let defaultInterval: Duration = .seconds(60)

    private let fencing: FencingConfig
    private let runner: FenceAgentRunner
    private let metadataCache: AgentMetadataCache
    private let interval: Duration
    private let events: EventSink
    private let storageFence: PoisonPillFence?
    private var healthByDevice: [String: DeviceHealth] = [:]

    /// - Parameter storageFence: checks the devices with `agent = "storage"` (the arbiter file
    ///   opens and reads); none: they are reported failing.
    public init(fencing: FencingConfig, runner: FenceAgentRunner? = nil,
                metadataCache: AgentMetadataCache? = nil, interval: Duration = FenceMonitor.defaultInterval,
                events: @escaping EventSink = { _ in }, storageFence: PoisonPillFence? = nil) {
        self.storageFence = storageFence
        let runner = runner ?? FenceAgentRunner(agentDirectory: fencing.agentDir)
        self.fencing = fencing
        self.runner = runner
        self.metadataCache = metadataCache ?? AgentMetadataCache(runner: runner)
        self.interval = interval
        self.events = events
        for device in fencing.devices {
            healthByDevice[device.name] = DeviceHealth(device: device.name, agent: device.agent)
        }
    }

    /// Health of every configured device, in configuration order.
    public func health() -> [DeviceHealth] {
        fencing.devices.compactMap { healthByDevice[$0.name] }
    }

    /// Checks every device once, one after the other.
    public func checkAll() async {
        for device in fencing.devices {
            await check(device)
        }
    }

    /// Checks all devices every `interval` until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            await checkAll()
            try? await Task.sleep(for: interval)
        }
    }

    private func check(_ device: FenceDeviceConfig) async {
        if device.isStorage {
            let failure = await storageFence?.check(ioTimeout: fencing.timeout)
                ?? (storageFence == nil ? "no arbiter file ([quorum] tie_breaker = \"storage\" is required)" : nil)
            return record(device, error: failure, known: true)
        }
        let failure: String?
        do throws(FenceError) {
            let metadata = try await metadataCache.metadata(for: device.agent)
            let action: FenceAction
            if metadata.supports(.monitor) { action = .monitor }
            else if metadata.supports(.status) { action = .status }
            else { record(device, error: nil, known: false); return }
            _ = try await runner.perform(device: device, action: action, node: nil, metadata: metadata,
                                         timeout: fencing.timeout)
            failure = nil
        } catch {
            failure = error.description
        }
        record(device, error: failure, known: true)
    }

    private func record(_ device: FenceDeviceConfig, error: String?, known: Bool) {
        let now = Date().timeIntervalSince1970
        var health = healthByDevice[device.name] ?? DeviceHealth(device: device.name, agent: device.agent)
        let wasFailing = health.state == .failing
        health.lastCheck = now
        health.lastError = error
        if !known {
            health.state = .unknown
            health.lastError = "\(device.agent) has neither a monitor nor a status action"
        } else if let error {
            health.consecutiveFailures += 1
            if !wasFailing {
                health.failingSince = now
                emit(.fenceDeviceFailing, .warning,
                     "fence device \(device.name) (\(device.agent)) is failing its monitor: \(error)")
            }
            health.state = .failing
        } else {
            if wasFailing {
                emit(.fenceDeviceRecovered, .notice,
                     "fence device \(device.name) (\(device.agent)) passes its monitor again")
            }
            health.state = .ok
            health.failingSince = nil
            health.consecutiveFailures = 0
        }
        healthByDevice[device.name] = health
    }

    private func emit(_ kind: EventKind, _ severity: ClusterEvent.Severity, _ message: String) {
        events(EventRecord(kind: kind, severity: severity, message: message))
    }
}
