@testable import ClusterHost
@testable import ClusterNode
import CoreTestSupport
import Foundation
import Testing
@testable import ClusterCore

/// The node's `PersistentState` and incarnation on a real directory.
@Suite struct PersistenceFileStateStoreTests {
    static let sample = PersistentState(
        term: Term(42),
        votedFor: "dss2",
        admin: AdminState(
            stamp: AdminStamp(term: Term(41), version: AdminVersion(7)),
            enabled: false,
            maintenance: true,
            standby: ["dss3"],
            constraints: [
                AdminConstraint(kind: .ban, node: "dss1", expires: 1_900_000_000),
                AdminConstraint(kind: .prefer, node: "dss2"),
            ],
            failures: [FailureRecord(node: "dss1", count: 2, lastFailure: 1_800_000_000)],
            mayHold: ["dss2"],
            voters: ["dss1", "dss2", "dss3"]
        )
    )

    @Test func fullStateRoundTripsAndSurvivesANewStoreInstance() throws {
        let dir = try PersistenceStateFileTests.makeDirectory()
        defer { PersistenceStateFileTests.remove(dir) }
        #expect(try FileStateStore(directory: dir).load() == nil)
        try FileStateStore(directory: dir).save(.initial)
        try FileStateStore(directory: dir).save(Self.sample)
        #expect(try FileStateStore(directory: dir).load() == Self.sample)
    }

    @Test func aValueNoNodeCouldHaveWrittenIsCorrupt() throws {
        let dir = try PersistenceStateFileTests.makeDirectory()
        defer { PersistenceStateFileTests.remove(dir) }
        let store = FileStateStore(directory: dir)
        // A well-formed file (valid checksum) whose constraint kind is unknown.
        var record = PersistedState(Self.sample)
        record.admin.constraints[0].kind = "evict"
        try StateFile<PersistedState>(path: store.path, kind: "state").save(record)
        do {
            _ = try store.load()
            Issue.record("loaded a state with an unknown constraint kind")
        } catch {
            #expect(error == .corrupt(path: store.path, reason: "unknown constraint kind 'evict'"))
        }
    }

    @Test("the member list: absent in files of earlier releases, empty or repeated is corrupt")
    func memberList() throws {
        let dir = try PersistenceStateFileTests.makeDirectory()
        defer { PersistenceStateFileTests.remove(dir) }
        let store = FileStateStore(directory: dir)
        var record = PersistedState(Self.sample)
        record.admin.voters = nil
        try StateFile<PersistedState>(path: store.path, kind: "state").save(record)
        #expect(try store.load()?.admin.voters == nil)
        for (bad, reason) in [([String](), "empty member list (admin.voters)"), (["dss1", "dss1"], "a node listed twice in admin.voters")] {
            record.admin.voters = bad
            try StateFile<PersistedState>(path: store.path, kind: "state").save(record)
            #expect(throws: StateStoreError.corrupt(path: store.path, reason: reason)) { try store.load() }
        }
    }

    @Test func aCorruptStateFileStopsTheRuntimeFromStarting() throws {
        let dir = try PersistenceStateFileTests.makeDirectory()
        defer { PersistenceStateFileTests.remove(dir) }
        let store = FileStateStore(directory: dir)
        try store.save(Self.sample)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: store.path))
        bytes[bytes.count - 3] ^= 0x20
        try bytes.write(to: URL(fileURLWithPath: store.path))
        let cluster = try LoopbackCluster.make(nodes: 2, hostBase: 71, port: 1)
        defer { cluster.removeDirectories() }
        do {
            _ = try cluster.runtime(0, effects: RecordingEffects(), store: store)
            Issue.record("the runtime started from a corrupt state file")
        } catch {
            guard let error = error as? RuntimeError, case .stateUnavailable(.corrupt(let path, _)) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(path == store.path)
            #expect(error.description.contains(store.path))
        }
    }

    @Test func incarnationsIncreaseAcrossRunsAndAreStored() throws {
        let dir = try PersistenceStateFileTests.makeDirectory()
        defer { PersistenceStateFileTests.remove(dir) }
        let file = IncarnationFile(directory: dir)
        let first = try file.advance(wallClockMilliseconds: 5_000, random: 7)
        #expect(first == Incarnation(5_000 << 16 | 7))
        // The clock went back: still greater.
        let second = try file.advance(wallClockMilliseconds: 1_000, random: 7)
        #expect(second == Incarnation(5_000 << 16 | 8))
        let third = try IncarnationFile(directory: dir).advance(wallClockMilliseconds: 9_000, random: 0)
        #expect(third == Incarnation(9_000 << 16))
        // Defaults read the real clock and random bits.
        #expect(try file.advance() > third)
    }
}
