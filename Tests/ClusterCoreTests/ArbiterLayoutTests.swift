import CoreTestSupport
import Testing
@testable import ClusterCore

/// Every node computes the same arbiter file layout from the same configuration.
@Suite struct ArbiterLayoutTests {
    @Test func slotsFollowTheSortedNamesWhateverTheOrder() {
        let a = ArbiterLayout(nodes: ["dss2", "witness", "dss1"])
        let b = ArbiterLayout(nodes: ["dss1", "dss2", "witness", "dss1"])
        #expect(a == b)
        #expect(a.nodes == ["dss1", "dss2", "witness"])
        // UTF-8 byte order, not locale order: upper case sorts before lower case.
        #expect(ArbiterLayout(nodes: ["b", "B", "a"]).nodes == ["B", "a", "b"])
    }

    @Test func offsetsAndFileSize() throws {
        let layout = ArbiterLayout(nodes: ["n3", "n1", "n2"])
        let slots = layout.nodes.map { layout.slot(of: $0)! }
        #expect(slots.map(\.index) == [0, 1, 2])
        #expect(slots.map(\.heartbeatOffset) == [4096, 12288, 20480])
        #expect(slots.map(\.mailboxOffset) == [8192, 16384, 24576])
        #expect(try #require(layout.slot(of: "n2")).node == "n2")
        #expect(layout.slot(of: "n4") == nil)
        #expect(layout.fileSize == 4096 * 7)
        #expect(layout.slotsRange == 4096..<(4096 * 7))
        #expect(layout.slots == slots)
        for slot in slots {
            #expect(slot.heartbeatOffset % ArbiterLayout.blockSize == 0 && slot.mailboxOffset % ArbiterLayout.blockSize == 0)
            #expect(layout.slotsRange.contains(slot.mailboxOffset + ArbiterLayout.blockSize - 1))
        }
    }

    @Test func theConfigurationsNodesWitnessesIncluded() throws {
        let config = try ConfigLoader.parse(toml: ConfigFixtures.base, path: nil)
        let layout = ArbiterLayout(config: config)
        #expect(layout.nodes == ["dss1", "dss2", "dss3"])  // dss3 is the witness
        #expect(ArbiterLayout.defaultPath(storagePath: config.storage.path) == "/dataiku/.hacluster/arbiter")
        #expect(ArbiterLayout.defaultPath(storagePath: "/dataiku/") == "/dataiku/.hacluster/arbiter")
    }
}
