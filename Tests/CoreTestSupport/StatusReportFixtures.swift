import ClusterCore

/// Status reports used by the protocol, JSON and renderer tests.
public enum StatusReportFixtures {
    /// The object printed in the spec, verbatim.
    public static let specJSON = """
        {"cluster":"dss_cluster","node":"dss1","term":7,"coordinator":"dss1",
         "quorum":{"quorate":true,"votes":3,"expected":3},
         "maintenance":false,
         "nodes":[{"name":"dss1","state":"online","role":"active"},
                  {"name":"dss2","state":"online","role":"standby"},
                  {"name":"dss3","state":"online","role":"witness"}],
         "service":{"name":"dataiku","state":"started","node":"dss1","enabled":true,
                    "failures":{"dss1":0,"dss2":0}},
         "constraints":[{"kind":"ban","node":"dss2","expires":"2026-11-21T10:00:00Z"}]}
        """

    public static let spec = ControlFixtures.specStatus

    /// 2026-11-21T09:50:02Z
    public static let now = UTCTimestamp(iso8601: "2026-11-21T09:50:02Z")!

    /// Every extension filled in: a failover from dss1 to dss2, dss1 unclean (its release never
    /// told), dss3 heard 120 ms ago.
    public static let full = StatusReport(
        cluster: "dss_cluster", node: "dss2", term: 8, coordinator: "dss2",
        quorum: .init(quorate: true, votes: 2, expected: 3), maintenance: true,
        nodes: [
            .init(name: "dss1", state: .unclean, role: .standby, priority: 100, lastSeen: UTCTimestamp(iso8601: "2026-11-21T09:45:00Z"),
                  lastHeardMilliseconds: 302_000),
            .init(name: "dss2", state: .online, role: .active, priority: 50, version: "0.9.0", configDigest: "e60fe842"),
            .init(name: "dss3", state: .online, role: .witness, version: "0.9.0", configDigest: "e60fe842", lastHeardMilliseconds: 120),
        ],
        service: .init(
            name: "dataiku", state: .started, node: "dss2", enabled: true, failures: ["dss1": 2, "dss2": 0],
            since: UTCTimestamp(iso8601: "2026-11-21T09:45:10Z"),
            health: .init(state: .healthy, detail: "unit active, HTTP 200", checked: UTCTimestamp(iso8601: "2026-11-21T09:49:59Z")),
            units: ["dataiku.service"]),
        constraints: [
            .init(kind: .ban, node: "dss1", expires: UTCTimestamp(iso8601: "2026-11-21T10:00:00Z")),
            .init(kind: .prefer, node: "dss2", expires: nil),
        ],
        time: now,
        fencing: .init(enabled: true, devices: [
            .init(name: "ipmi-dss1", agent: "fence_ipmilan", nodes: ["dss1"], level: 1, state: .ok, checked: UTCTimestamp(iso8601: "2026-11-21T09:48:02Z")),
            .init(name: "pdu", agent: "fence_apc", nodes: ["dss1", "dss2"], level: 2, state: .failing, failingSince: UTCTimestamp(iso8601: "2026-11-21T09:40:02Z"), detail: "connection refused"),
        ]),
        lastFailover: .init(
            from: "dss1", to: "dss2", reason: "dss1 failed (not heard from for 1s)",
            started: UTCTimestamp(iso8601: "2026-11-21T09:45:01Z")!, finished: UTCTimestamp(iso8601: "2026-11-21T09:45:10Z"),
            steps: [
                .init(name: "lease", milliseconds: 1000, ok: true),
                .init(name: "fence", milliseconds: 6200, ok: true, detail: "ipmi-dss1 reboot"),
                .init(name: "lock", milliseconds: 12, ok: true),
                .init(name: "ip", milliseconds: 40, ok: true),
                .init(name: "start", milliseconds: 1700, ok: true),
            ],
            milliseconds: 8952),
        links: [
            .init(node: "dss1", link: 0, localAddress: "198.18.1.12", state: .down, lastHeardMilliseconds: 302_000),
            .init(node: "dss1", link: 1, localAddress: "198.18.2.12", state: .down, lastHeardMilliseconds: 302_010),
            .init(node: "dss3", link: 0, localAddress: "198.18.1.12", state: .up, lastHeardMilliseconds: 120),
            .init(node: "dss3", link: 1, localAddress: "198.18.2.12", state: .up, lastHeardMilliseconds: 130),
        ])

    /// The spec's report (from dss1) with one link per node, both up.
    public static let oneLinkUp: [StatusReport.Link] = [
        .init(node: "dss2", link: 0, localAddress: "198.18.1.11", state: .up, lastHeardMilliseconds: 150),
        .init(node: "dss3", link: 0, localAddress: "198.18.1.11", state: .up, lastHeardMilliseconds: 40),
    ]

    /// The spec's report (from dss1) with two links per node, link 1 to dss2 down for 12 s,
    /// link 1 to dss3 never heard.
    public static let twoLinksOneDown: [StatusReport.Link] = [
        .init(node: "dss2", link: 0, localAddress: "198.18.1.11", state: .up, lastHeardMilliseconds: 150),
        .init(node: "dss2", link: 1, localAddress: "198.18.2.11", state: .down, lastHeardMilliseconds: 12_300),
        .init(node: "dss3", link: 0, localAddress: "198.18.1.11", state: .up, lastHeardMilliseconds: 40),
        .init(node: "dss3", link: 1, localAddress: "198.18.2.11", state: .down, lastHeardMilliseconds: nil),
    ]
}
