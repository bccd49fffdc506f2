/// Takes this node down hard when it cannot give up the service it was told to release
/// (a stop that failed or timed out): the node must never keep a service another node is
/// about to start. Injected, so tests use a recording double.
public protocol SelfFencing: Sendable {
    /// Does not return in production (the node reboots or powers off).
    func fenceSelf(reason: String) async
}
