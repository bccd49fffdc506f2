import ClusterNode
import ClusterHost
import Logging
import Testing
@testable import ClusterCore

/// The journal fields and stderr lines the daemon's log handlers produce.
@Suite struct DaemonLogFormatTests {
    @Test func journalFieldsCarryPriorityIdentityAndMetadata() {
        let handler = JournalLogHandler(identifier: "haclusterd", node: "dss1", cluster: "dss_cluster")
        let fields = handler.fields(level: .warning, message: "peer lost\nsecond line", metadata: ["peer": "dss2", "unit-name": "x.service"])
        #expect(fields == [
            "MESSAGE=peer lost\nsecond line", "PRIORITY=4", "SYSLOG_IDENTIFIER=haclusterd",
            "HA_NODE=dss1", "HA_CLUSTER=dss_cluster", "PEER=dss2", "UNIT_NAME=x.service",
        ])
    }

    @Test(arguments: [
        ("peer", "PEER"), ("unit-name", "UNIT_NAME"), ("_pid", "PID"), ("9lives", "META_9LIVES"),
        ("message", "META_MESSAGE"), ("priority", "META_PRIORITY"), ("ha_node", "META_HA_NODE"),
        ("é", "META_"), ("", "META_"),
    ])
    func metadataKeysBecomeValidFieldNames(key: String, field: String) {
        #expect(JournalLogHandler.fieldName(for: key) == field)
    }

    @Test func fieldNamesAreAtMost64Bytes() {
        #expect(JournalLogHandler.fieldName(for: String(repeating: "k", count: 100)).count == 64)
    }

    @Test func syslogPriorities() {
        let expected: [(Logger.Level, Int)] = [(.trace, 7), (.debug, 7), (.info, 6), (.notice, 5), (.warning, 4), (.error, 3), (.critical, 2)]
        for (level, priority) in expected {
            #expect(JournalLogHandler.priority(of: level) == priority, "\(level)")
        }
    }

    @Test func stderrLineIsOneLineWithLevelNodeAndQuotedMetadata() {
        let handler = StderrLogHandler(identifier: "haclusterd", node: "dss1")
        let line = handler.line(level: .error, message: "two\nlines", metadata: ["b": "x y", "a": "1"], time: "T")
        #expect(line == #"T error haclusterd[dss1]: two lines a=1 b="x y""#)
    }
}
