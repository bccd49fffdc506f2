import ClusterCore
import ClusterHost
/// Deliberately broken runtime mechanisms, for tests that prove a safety test
/// can fail (like `ElectionMutations` for the core). Never set in the daemon.
struct RuntimeMutations: OptionSet, Sendable {
    let rawValue: Int

    /// Treat a failed `persist` as if it had succeeded: perform the rest of the
    /// actions and keep sending (breaks the persist-before-send contract).
    static let ignorePersistFailures = RuntimeMutations(rawValue: 1 << 0)
    /// Behave on the wire as the first release did: never send node info, and drop a
    /// datagram of kind node info as an unknown kind (a rolling upgrade's older node).
    static let firstReleaseWire = RuntimeMutations(rawValue: 1 << 1)
    /// Queue every received datagram for the runtime, as before `DatagramAdmission`: a flood
    /// of forged datagrams competes with the peers' heartbeats again.
    static let unfilteredInbound = RuntimeMutations(rawValue: 1 << 2)
}
