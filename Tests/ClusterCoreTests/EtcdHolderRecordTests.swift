import ClusterCore
import Testing

/// The etcd backend's `holder` record: its text, what a bad value says, and whom a new coordinator fences.
@Suite("Etcd holder record")
struct EtcdHolderRecordTests {
    @Test("encodes as three lines and decodes back")
    func roundTrip() throws {
        let record = EtcdHolderRecord(node: "dss1", state: .running, term: 1234)
        #expect(String(decoding: record.encoded, as: UTF8.self) == "node=dss1\nstate=running\nterm=1234\n")
        #expect(try EtcdHolderRecord(decoding: record.encoded) == record)
        for state in EtcdHolderRecord.State.allCases {
            let other = EtcdHolderRecord(node: "n-2.x", state: state, term: 1)
            #expect(try EtcdHolderRecord(decoding: other.encoded) == other)
        }
    }

    @Test("a value it did not write is refused, saying what was expected", arguments: [
        ("", "expected 3 lines"),
        ("node=dss1\nstate=running\nterm=12", "expected 3 lines"),
        ("node=dss1\nstate=running\nterm=12\nextra=1\n", "expected 3 lines"),
        ("state=running\nnode=dss1\nterm=12\n", "expected \"node=\""),
        ("node=dss 1\nstate=running\nterm=12\n", "is not a node name"),
        ("node=dss1\nstate=active\nterm=12\n", "expected starting, running or released"),
        ("node=dss1\nstate=running\nterm=0\n", "expected a positive revision"),
        ("node=dss1\nstate=running\nterm=x\n", "expected a positive revision"),
    ])
    func refused(_ text: String, _ expected: String) {
        #expect {
            _ = try EtcdHolderRecord(decoding: Array(text.utf8))
        } throws: { error in
            "\(error)".contains(expected)
        }
        #expect(throws: EtcdHolderRecord.DecodingError.self) { _ = try EtcdHolderRecord(decoding: [0xff, 0xfe]) }
        #expect(throws: EtcdHolderRecord.DecodingError.self) { _ = try EtcdHolderRecord(decoding: Array(repeating: 65, count: 300)) }
    }

    @Test("a new coordinator fences the recorded node unless it released cleanly, or is itself")
    func whomToFence() {
        #expect(EtcdHolderRecord.nodeToFence(record: nil, coordinator: "dss2") == nil)
        #expect(EtcdHolderRecord.nodeToFence(record: .init(node: "dss1", state: .running, term: 5), coordinator: "dss2") == "dss1")
        #expect(EtcdHolderRecord.nodeToFence(record: .init(node: "dss1", state: .starting, term: 5), coordinator: "dss2") == "dss1")
        #expect(EtcdHolderRecord.nodeToFence(record: .init(node: "dss1", state: .released, term: 5), coordinator: "dss2") == nil)
        #expect(EtcdHolderRecord.nodeToFence(record: .init(node: "dss2", state: .running, term: 5), coordinator: "dss2") == nil)
    }
}
