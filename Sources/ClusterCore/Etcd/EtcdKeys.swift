/// The keys one cluster keeps under its `[etcd] prefix`.
///
/// - `leader`: the coordinator's node name, bound to its lease. Created only when absent
///   (create revision 0), as etcd's election recipe does; its create revision is the
///   coordinator's term (it only grows).
/// - `holder`: which node last held the service and whether it released it cleanly, so that a
///   new coordinator knows whom to fence. Not bound to a lease: it outlives its writer.
/// - `admin`: the admin state (constraints, maintenance, enabled, failure counts).
/// - `nodes/<name>`: each node's presence and eligibility, bound to that node's lease.
public struct EtcdKeys: Sendable, Equatable {
    public let prefix: String

    public init(prefix: String) {
        var trimmed = Substring(prefix)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        self.prefix = String(trimmed)
    }

    public var leader: String { "\(prefix)/leader" }
    public var holder: String { "\(prefix)/holder" }
    public var admin: String { "\(prefix)/admin" }
    public func node(_ name: String) -> String { "\(prefix)/nodes/\(name)" }
}
