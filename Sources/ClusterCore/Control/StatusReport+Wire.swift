extension StatusReport {
    /// The node's datagrams since its daemon started (`wire`, extension): what it sent,
    /// used and refused, by reason, like `corosync-cfgtool -s`'s counters. A reason a node
    /// never saw is left out of `rejected`.
    public struct Wire: Sendable, Equatable, Codable {
        /// This run of the daemon (datagrams name it; it grows with every restart).
        public var incarnation: UInt64
        public var sealed: UInt64
        public var accepted: UInt64
        /// Refused datagrams by reason (`authentication_failed`, `other_run`, ...).
        public var rejected: [String: UInt64]
        /// Datagrams the daemon had no room for before looking at them.
        public var inboundDropped: UInt64

        public init(incarnation: UInt64, sealed: UInt64, accepted: UInt64, rejected: [String: UInt64], inboundDropped: UInt64) {
            self.incarnation = incarnation
            self.sealed = sealed
            self.accepted = accepted
            self.rejected = rejected
            self.inboundDropped = inboundDropped
        }

        public init(incarnation: Incarnation, counters: WireCounters, inboundDropped: UInt64) {
            var rejected: [String: UInt64] = [:]
            for (reason, count) in counters.rejected where count > 0 { rejected[reason.rawValue] = count }
            self.init(incarnation: incarnation.rawValue, sealed: counters.sealed, accepted: counters.accepted, rejected: rejected, inboundDropped: inboundDropped)
        }

        private enum CodingKeys: String, CodingKey {
            case incarnation, sealed, accepted, rejected
            case inboundDropped = "inbound_dropped"
        }
    }
}
