import ClusterCore
import ClusterHost
extension TakeoverSequence {
    /// The production wiring for `config`: systemd over sd-bus (`systemd_bus`), flock on
    /// `storage.lock_file`, the floating addresses through iproute2/arping, and `health_url`.
    /// The self-fence is the caller's choice: pass `SelfFence(...)` to opt in to the real one.
    /// Throws `HealthURL.ParseError` for a `health_url` this probe cannot use.
    public static func production(
        config: ClusterConfig,
        node: String,
        selfFence: any SelfFencing,
        record: @escaping @Sendable (EventRecord) -> Void
    ) throws -> TakeoverSequence {
        let health = try config.service.healthURL.map { try HealthProbe(parsing: $0) }
        let addresses = FloatingAddress { failure in
            record(EventRecord(kind: .takeoverIPAnnounce, severity: .warning,
                               message: "announcing the floating address failed: \(failure)"))
        }
        return TakeoverSequence(
            node: node,
            service: config.service,
            floatingIPs: config.floatingIPs,
            units: UnitManager(bus: SystemdBus(config.service.systemdBus)),
            lock: SharedStorageLock(config.storage),
            addresses: addresses,
            health: health,
            selfFence: selfFence,
            record: record)
    }
}
