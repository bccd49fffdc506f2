import ClusterCore
import ClusterHost

/// What the daemon asks of the coordination layer, whichever backend runs it: the built-in
/// one (`ClusterRuntime`: the election over authenticated UDP) or etcd (`EtcdRuntime`).
/// Fencing, the lock, the addresses, the units, health and the event model are the same
/// for both: they are the `RuntimeEffects` the runtime calls.
public protocol CoordinationRuntime: Actor {
    nonisolated var localNode: String { get }
    nonisolated var incarnation: Incarnation { get }
    /// Beats at every loop iteration; the daemon pets the systemd watchdog only while it is recent.
    nonisolated var heartbeat: LoopHeartbeat { get }

    func start() async throws(RuntimeError)
    /// Stops for good; returns whether anything of the service may still run here.
    func stop() async -> Bool
    func status() async -> RuntimeStatus
    func submit(_ command: AdminCommand) async -> CommandOutcome
    func override(_ override: OperatorOverride, uid: UInt32) async -> OverrideRefusal?
    func report(_ report: ResourceReport) async
    /// SIGTERM: a planned leave; keep running until `leaveProgress` is done, then `stop()`.
    func leave() async
    var leaveProgress: LeaveProgress { get async }
    /// The member list this node stored (nil: none, or a backend without one).
    func recordedMembers() async -> [String]?
    func setRelayHandler(_ handler: @escaping ClusterRuntime.RelayHandler) async
    func relay(_ body: [UInt8], to peer: String, timeout: Duration) async -> Result<[UInt8], RelayFailure>
    func setSampler(_ sampler: @escaping @Sendable (RuntimeSample) -> Void) async
    /// Why a re-execution in place can't take the runtime over now, or nil.
    func handoverBlocker() async -> String?
    func suspendForHandover() async -> Result<RuntimeHandover, RuntimeError>
}

extension ClusterRuntime: CoordinationRuntime {}
