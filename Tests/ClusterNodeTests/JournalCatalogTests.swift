@testable import ClusterNode
import ControlTestSupport
import Foundation
import Logging
import Testing
@testable import ClusterCore

/// The journal's `MESSAGE_ID`s of the main event kinds and `etc/haclusterd.catalog`, read by
/// the real `journalctl --update-catalog` (in a scratch root, never the machine's catalog).
@Suite struct JournalCatalogTests {
    static let catalog = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("etc/haclusterd.catalog")

    @Test func everyMessageIDIsA128BitIDAndUnique() {
        let ids = EventKind.allCases.compactMap(\.messageID)
        #expect(ids.count >= 30)
        #expect(Set(ids).count == ids.count, "an ID used twice")
        for id in ids {
            #expect(id.count == 32 && id.allSatisfy { "0123456789abcdef".contains($0) }, "\(id) is not 32 lower-case hex digits")
        }
        for kind: EventKind in [.electionWon, .serviceStarted, .serviceFailed, .fenceFailed, .fenceSucceeded, .linkDown, .leaseLost] {
            #expect(kind.messageID != nil, "\(kind) is a main event and has no MESSAGE_ID")
        }
    }

    @Test func aMainEventCarriesItsMessageIDAndOthersNone() {
        let handler = JournalLogHandler(identifier: "haclusterd", node: "dss1", cluster: "dss_cluster")
        let won = handler.fields(level: .notice, message: "leader for term 3", metadata: ["event_kind": "election.won", "event_node": "dss1"])
        #expect(won.contains("MESSAGE_ID=\(EventKind.electionWon.messageID!)"))
        let claimed = handler.fields(level: .info, message: "lease claimed", metadata: ["event_kind": "lease.claimed"])
        #expect(!claimed.contains { $0.hasPrefix("MESSAGE_ID=") })
        let plain = handler.fields(level: .info, message: "ready", metadata: ["message_id": "forged"])
        #expect(!plain.contains { $0.hasPrefix("MESSAGE_ID=") }, "metadata cannot set it: \(plain)")
    }

    @Test func theCatalogHasAnEntryForEveryIDAndJournalctlReadsIt() throws {
        let text = try String(contentsOf: Self.catalog, encoding: .utf8)
        let inFile = text.split(separator: "\n").filter { $0.hasPrefix("-- ") }.map { String($0.dropFirst(3)) }
        let table = EventKind.allCases.compactMap(\.messageID)
        #expect(Set(inFile) == Set(table), "catalog and EventKind.messageIDs differ: \(Set(inFile).symmetricDifference(table))")
        #expect(inFile.count == Set(inFile).count, "an ID twice in the catalog")

        let root = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.appendingPathComponent("usr/lib/systemd/catalog")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.catalog, to: directory.appendingPathComponent("haclusterd.catalog"))
        let update = try runProcess(["/usr/bin/journalctl", "--root=\(root.path)", "--update-catalog"])
        #expect(update.status == 0, "journalctl --update-catalog: \(update.stderr)")
        #expect(update.stderr.isEmpty, "journalctl complained about the catalog: \(update.stderr)")
        let list = try runProcess(["/usr/bin/journalctl", "--root=\(root.path)", "--list-catalog"])
        #expect(list.status == 0, "\(list.stderr)")
        let listed = list.stdout.split(separator: "\n").map { $0.split(separator: " ", maxSplits: 1) }
        #expect(Set(listed.map { String($0[0]) }) == Set(table), "journalctl did not read every entry: \(list.stdout)")
        #expect(listed.allSatisfy { $0.count == 2 && $0[1].hasPrefix("haclusterd: ") }, "every entry has a Subject")
        let explained = try runProcess(["/usr/bin/journalctl", "--root=\(root.path)", "--dump-catalog", EventKind.fenceFailed.messageID!])
        #expect(explained.stdout.contains("Every fence device of every level failed"), "\(explained.stdout)")
    }
}
