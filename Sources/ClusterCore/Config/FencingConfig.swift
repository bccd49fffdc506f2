/// The `[fencing]` section.
public struct FencingConfig: Sendable, Equatable {
    public enum Action: String, Sendable, Equatable, CaseIterable {
        case reboot
        case off
    }

    /// Running without fencing takes an explicit `enabled = false`; the daemon warns at every start.
    public var enabled: Bool
    /// Where `fence_*` agents are found.
    public var agentDir: String
    public var action: Action
    /// Timeout of one agent run.
    public var timeout: Duration
    public var devices: [FenceDeviceConfig]
    /// Optional watchdog device (e.g. `/dev/watchdog`) petted only while the daemon is healthy.
    public var watchdog: String?
    public var watchdogTimeout: Duration
    /// 2-node fence races: the node that does not hold the service waits this long
    /// before fencing its peer, so the holder deterministically wins.
    public var raceDelay: Duration
    /// How often each device's `monitor` action runs.
    public var monitorInterval: Duration

    public static let defaultAgentDir = "/usr/sbin"

    public init(
        enabled: Bool = true,
        agentDir: String = FencingConfig.defaultAgentDir,
        action: Action = .reboot,
        timeout: Duration = .seconds(60),
        devices: [FenceDeviceConfig] = [],
        watchdog: String? = nil,
        watchdogTimeout: Duration = .seconds(10),
        raceDelay: Duration = .seconds(5),
        monitorInterval: Duration = .seconds(60)
    ) {
        self.enabled = enabled
        self.agentDir = agentDir
        self.action = action
        self.timeout = timeout
        self.devices = devices
        self.watchdog = watchdog
        self.watchdogTimeout = watchdogTimeout
        self.raceDelay = raceDelay
        self.monitorInterval = monitorInterval
    }

    /// Devices that can fence `node`, grouped by level, levels ascending.
    public func levels(for node: String) -> [(level: Int, devices: [FenceDeviceConfig])] {
        let covering = devices.filter { $0.covers(node) }
        let byLevel = Dictionary(grouping: covering, by: \.level)
        return byLevel.keys.sorted().map { ($0, byLevel[$0]!) }
    }

    /// How long the storage fence waits after writing the pill before it reports the victim
    /// fenced: the device's `msgwait` option, else 2 × `watchdog_timeout` (as sbd does): a
    /// victim too hung to read its pill is reset by its watchdog within `watchdog_timeout`.
    public func msgwait(of device: FenceDeviceConfig) -> Duration {
        if let text = device.options[FenceDeviceConfig.msgwaitOption], let value = try? Duration(configValue: text) { return value }
        return watchdogTimeout * 2
    }
}
