/// The answer to an admin command: the admin-state version a quorum committed.
public struct AdminCommit: Sendable, Equatable, Codable {
    /// Version of the replicated admin snapshot that contains the change.
    public var version: UInt64
    /// One line for the operator, e.g. "dss1 banned until 2026-11-21T10:10:00Z".
    public var detail: String?

    public init(version: UInt64, detail: String? = nil) {
        self.version = version
        self.detail = detail
    }
}
