import ClusterCore

/// Fixtures shared by the control-protocol tests and the hactl binary tests.
public enum ControlFixtures {
    /// The status object printed in the spec.
    public static let specStatus = StatusReport(
        cluster: "dss_cluster", node: "dss1", term: 7, coordinator: "dss1",
        quorum: .init(quorate: true, votes: 3, expected: 3), maintenance: false,
        nodes: [
            .init(name: "dss1", state: .online, role: .active),
            .init(name: "dss2", state: .online, role: .standby),
            .init(name: "dss3", state: .online, role: .witness),
        ],
        service: .init(name: "dataiku", state: .started, node: "dss1", enabled: true, failures: ["dss1": 0, "dss2": 0]),
        constraints: [.init(kind: .ban, node: "dss2", expires: UTCTimestamp(iso8601: "2026-11-21T10:00:00Z"))])
}
