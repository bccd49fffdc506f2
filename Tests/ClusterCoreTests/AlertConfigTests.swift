import CoreTestSupport
import Testing

@testable import ClusterCore

@Suite("[[alert]]: the configuration, what it selects, its environment")
struct AlertConfigTests {
    private func parse(_ alerts: String) throws -> ClusterConfig {
        try ConfigLoader.parse(toml: ConfigFixtures.base + "\n" + alerts, path: "/etc/hacluster/haclusterd.toml")
    }

    private func error(_ alerts: String) -> String? {
        do {
            _ = try parse(alerts)
            return nil
        } catch {
            return (error as? ConfigError)?.description ?? "\(error)"
        }
    }

    @Test("alerts are read with their defaults; none by default")
    func decoding() throws {
        #expect(try ConfigLoader.parse(toml: ConfigFixtures.base, path: nil).alerts.isEmpty)
        let config = try parse("""
            [[alert]]
            command = "/usr/local/lib/hacluster/notify"

            [[alert]]
            command = "/usr/local/bin/page-oncall"
            events = ["fence.failed", "service.*"]
            timeout = "5s"
            """)
        #expect(config.alerts == [
            AlertConfig(command: "/usr/local/lib/hacluster/notify"),
            AlertConfig(command: "/usr/local/bin/page-oncall", events: ["fence.failed", "service.*"], timeout: .seconds(5)),
        ])
    }

    @Test("a bad alert names its key and line and says what was expected")
    func refusals() {
        let relative = error("[[alert]]\ncommand = \"notify.sh\"\n")
        #expect(relative?.contains("alert[0].command") == true && relative?.contains("absolute path") == true, "\(relative ?? "accepted")")
        let missing = error("[[alert]]\nevents = [\"fence.failed\"]\n")
        #expect(missing?.contains("alert[0].command") == true, "\(missing ?? "accepted")")
        let unknown = error("[[alert]]\ncommand = \"/bin/true\"\nevents = [\"fence.failed\", \"fence.exploded\"]\n")
        #expect(unknown?.contains("alert[0].events[1]") == true, "\(unknown ?? "accepted")")
        #expect(unknown?.contains("fence.exploded") == true && unknown?.contains("\"service.*\"") == true, "\(unknown ?? "")")
        let area = error("[[alert]]\ncommand = \"/bin/true\"\nevents = [\"nosuch.*\"]\n")
        #expect(area?.contains("alert[0].events[0]") == true, "\(area ?? "accepted")")
        let timeout = error("[[alert]]\ncommand = \"/bin/true\"\ntimeout = \"2h\"\n")
        #expect(timeout?.contains("alert[0].timeout") == true, "\(timeout ?? "accepted")")
        let typo = error("[[alert]]\ncommand = \"/bin/true\"\nevent = [\"fence.failed\"]\n")
        #expect(typo?.contains("alert[0].event") == true, "\(typo ?? "accepted")")
        let single = error("[alert]\ncommand = \"/bin/true\"\n")
        #expect(single?.contains("[[alert]]") == true, "\(single ?? "accepted")")
    }

    @Test("without events: the main events (those with a journal MESSAGE_ID); kinds, areas and * select")
    func selection() {
        let main = AlertConfig(command: "/x")
        #expect(main.selects(.serviceStarted) && main.selects(.fenceFailed) && main.selects(.linkDown))
        #expect(!main.selects(.takeoverLock), "a takeover step is not a transition of its own")
        #expect(!main.selects(.leaseClaimed))
        let some = AlertConfig(command: "/x", events: ["fence.*", "link.down"])
        #expect(some.selects(.fenceStarted) && some.selects(.fenceAttemptFailed) && some.selects(.linkDown))
        #expect(!some.selects(.linkUp) && !some.selects(.serviceStarted))
        #expect(AlertConfig(command: "/x", events: ["*"]).selects(.takeoverLock))
        #expect(!AlertConfig.isValidPattern("fence"), "an area needs its .*")
        #expect(!AlertConfig.isValidPattern("fence.*.*"))
    }

    @Test("the environment: the event, the node, the term, the time to the millisecond, no more")
    func environment() {
        let event = ClusterEvent(
            time: 1_796_550_601.25, node: "dss2", kind: .fenceSucceeded, severity: .notice,
            message: "dss1 fenced by ipmi-dss1 (reboot)", durationMilliseconds: 6200)
        let variables = AlertEnvironment.variables(event, cluster: "dss_cluster", term: 8, sequence: 41)
        #expect(variables == [
            "HA_EVENT=fence.succeeded",
            "HA_SEVERITY=notice",
            "HA_MESSAGE=dss1 fenced by ipmi-dss1 (reboot)",
            "HA_NODE=dss2",
            "HA_CLUSTER=dss_cluster",
            "HA_TIMESTAMP=2026-12-06T09:50:01.250Z",
            "HA_TIMESTAMP_EPOCH=1796550601",
            "HA_TIMESTAMP_USEC=250000",
            "HA_SEQUENCE=41",
            "HA_VERSION=\(ProductVersion.current)",
            "HA_TERM=8",
            "HA_DURATION_MS=6200",
        ])
        let early = AlertEnvironment.variables(
            ClusterEvent(time: 1_796_550_601.0005, node: "dss1", kind: .linkDown, message: "a\u{0}b"), cluster: "c", term: nil, sequence: 1)
        #expect(early.contains("HA_TIMESTAMP=2026-12-06T09:50:01.000Z"))
        #expect(early.contains("HA_MESSAGE=ab"), "no NUL in an environment value")
        #expect(!early.contains { $0.hasPrefix("HA_TERM=") || $0.hasPrefix("HA_DURATION_MS=") || $0.hasPrefix("HA_UID=") })
        let confirmed = AlertEnvironment.variables(
            ClusterEvent(time: 1, node: "dss2", kind: .fenceOperatorConfirmed, severity: .warning, message: "m", uid: 1000),
            cluster: "c", term: 8, sequence: 2)
        #expect(confirmed.contains("HA_UID=1000"))
    }
}
