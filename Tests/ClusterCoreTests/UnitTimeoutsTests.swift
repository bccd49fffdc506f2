import ClusterCore
import CoreTestSupport
import Testing

/// Per-unit timeouts (`[[service.unit]]`, pcs's `op start timeout=600s`) and the audit of the
/// units' systemd settings against them.
@Suite("Per-unit timeouts and the unit audit")
struct UnitTimeoutsTests {
    static let longForm = """
        [[service.unit]]
        name = "postgresql.service"
        stop_timeout = "120s"

        [[service.unit]]
        name = "dataiku.service"
        start_timeout = "900s"
        """

    static func config(_ edits: [(String, String)]) throws -> ClusterConfig {
        try ConfigLoader.parse(toml: ConfigFixtures.base(replacing: edits), path: "/etc/hacluster/haclusterd.toml")
    }

    @Test("[[service.unit]] lists the units in order with their own timeouts; the others take the service's")
    func longFormParses() throws {
        let config = try Self.config([("units = [\"dataiku.service\"]\n", ""), ("\n[storage]", "\n" + Self.longForm + "\n\n[storage]")])
        let service = config.service
        #expect(service.units == ["postgresql.service", "dataiku.service"])
        #expect(service.startTimeout(of: "dataiku.service") == .seconds(900))
        #expect(service.startTimeout(of: "postgresql.service") == .seconds(600))
        #expect(service.stopTimeout(of: "postgresql.service") == .seconds(120))
        #expect(service.stopTimeout(of: "dataiku.service") == service.stopTimeout)
        #expect(service.totalStopTimeout == .seconds(120) + service.stopTimeout)
        // Timeouts are cluster-wide: they change the digest of [service].
        let short = try Self.config([])
        #expect(ConfigDigest(short).differingSections(from: ConfigDigest(config)) == ["service"])
    }

    @Test("units = [...] and [[service.unit]] together are refused, naming units")
    func bothFormsRefused() throws {
        #expect {
            try Self.config([("\n[storage]", "\n" + Self.longForm + "\n\n[storage]")])
        } throws: { error in
            "\(error)".contains("service.units") && "\(error)".contains("either units = [...] or [[service.unit]]")
        }
    }

    @Test("a [[service.unit]] without a name, or with an unknown key, is refused naming the key")
    func badEntries() throws {
        #expect {
            try Self.config([("units = [\"dataiku.service\"]\n", ""), ("\n[storage]", "\n[[service.unit]]\nstart_timeout = \"5s\"\n\n[storage]")])
        } throws: { error in
            "\(error)".contains("service.unit[0].name")
        }
        #expect {
            try Self.config([("units = [\"dataiku.service\"]\n", ""), ("\n[storage]", "\n[[service.unit]]\nname = \"a.service\"\ntimeout = \"5s\"\n\n[storage]")])
        } throws: { error in
            "\(error)".contains("service.unit[0].timeout")
        }
    }

    @Test("the audit warns of systemd timeouts shorter than the configured ones, units enabled at boot, and a short daemon stop")
    func audit() throws {
        let config = try Self.config([("units = [\"dataiku.service\"]\n", ""), ("\n[storage]", "\n" + Self.longForm + "\n\n[storage]")])
        let fine = [
            UnitSettings(unit: "postgresql.service", timeoutStart: .seconds(600), timeoutStop: .seconds(120), unitFileState: "disabled"),
            UnitSettings(unit: "dataiku.service", timeoutStart: nil, timeoutStop: nil, unitFileState: "static"),
        ]
        #expect(UnitAudit.warnings(config: config, units: fine, daemonTimeoutStop: .seconds(3600)).isEmpty)

        let risky = [
            UnitSettings(unit: "postgresql.service", timeoutStart: .seconds(90), timeoutStop: .seconds(90), unitFileState: "enabled"),
            UnitSettings(unit: "dataiku.service", timeoutStart: .seconds(900), timeoutStop: .seconds(600), unitFileState: "disabled"),
        ]
        let warnings = UnitAudit.warnings(config: config, units: risky, daemonTimeoutStop: .seconds(90))
        #expect(warnings.count == 4, "\(warnings)")
        #expect(warnings.contains { $0.hasPrefix("postgresql.service: systemd's TimeoutStartSec (1min 30s) is shorter than its start_timeout (10min)") && $0.contains("TimeoutStartSec=600s") })
        #expect(warnings.contains { $0.hasPrefix("postgresql.service: systemd's TimeoutStopSec (1min 30s) is shorter than its stop_timeout (2min)") })
        #expect(warnings.contains { $0.hasPrefix("postgresql.service is enabled at boot (enabled)") && $0.contains("systemctl disable postgresql.service") })
        #expect(warnings.contains { $0.hasPrefix("haclusterd's own TimeoutStopSec (1min 30s)") && $0.contains("TimeoutStopSec=725s") }, "\(warnings)")
    }
}
