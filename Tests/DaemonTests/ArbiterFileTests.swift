import ClusterCore
import ClusterHost
import Foundation
import Testing

/// ArbiterFile on real file systems: two instances on one file stand for two nodes. ext4
/// (under /var/tmp) and tmpfs (/dev/shm) accept O_DIRECT; ramfs refuses it at open (EINVAL),
/// which exercises the fallback for real.
@Suite(.serialized) final class ArbiterFileTests {
    static let nodes = ["n1", "n2", "w3"]
    static let layout = ArbiterLayout(nodes: nodes)
    static let codec = ArbiterCodec(key: ArbiterKey(keyMaterial: Array(repeating: 0x5C, count: 32) + [1, 2, 3], clusterName: "arbiter_test"), layout: layout)

    /// Directories to remove, mounts to unmount, at the end of the test.
    private var directories: [String] = []
    private var mounts: [String] = []

    deinit {
        for mount in mounts.reversed() { TestShell.run("umount '\(mount)'", timeout: 10) }
        for directory in directories { TestShell.run("rm -rf '\(directory)'", timeout: 10) }
    }

    /// A fresh directory standing for the shared storage's mount point, under `base`.
    func newStorage(under base: String) -> String {
        let directory = "\(base)/hacd-arbiter-\(getpid())-\(UniqueTestNumber.shared.next())"
        TestShell.must("mkdir -p '\(directory)'")
        directories.append(directory)
        return directory
    }

    /// A fresh ramfs mount (a file system without O_DIRECT).
    func ramfs() -> String {
        let directory = newStorage(under: "/var/tmp")
        TestShell.must("mount -t ramfs -o mode=0755 ramfs '\(directory)'")
        mounts.append(directory)
        return directory
    }

    static func file(_ node: String, in storage: String, directIO: ArbiterFile.DirectIO = .whenSupported) throws -> ArbiterFile {
        try ArbiterFile(path: ArbiterLayout.defaultPath(storagePath: storage), codec: codec, localNode: node, directIO: directIO)
    }

    static func heartbeat(_ node: String, counter: UInt64, holding: Bool = false) -> ArbiterHeartbeat {
        ArbiterHeartbeat(node: node, incarnation: Incarnation(100 + UInt64(node.utf8.last!)), term: Term(3),
                         leader: holding, holding: holding, counter: counter, wallClock: 1_800_000_000_000 + counter)
    }

    static func fileSystem(of path: String) -> String {
        TestShell.run("stat -f -c %T '\(path)'").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Both nodes write, each sees the other's counter advance after every write.
    func expectHeartbeatsSeenBothWays(_ one: ArbiterFile, _ two: ArbiterFile, rounds: UInt64 = 5, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for counter in 1...rounds {
            try one.writeHeartbeat(Self.heartbeat(one.localNode, counter: counter, holding: true))
            #expect(try two.readHeartbeats()[one.localNode]?.value?.counter == counter, sourceLocation: sourceLocation)
            try two.writeHeartbeat(Self.heartbeat(two.localNode, counter: counter * 10))
            let seen = try one.readHeartbeats()
            #expect(seen[two.localNode] == .valid(Self.heartbeat(two.localNode, counter: counter * 10)), sourceLocation: sourceLocation)
            #expect(seen[one.localNode]?.value?.counter == counter, sourceLocation: sourceLocation)
            #expect(seen["w3"] == .empty, sourceLocation: sourceLocation)
        }
    }

    @Test func twoNodesSeeEachOthersHeartbeatsAdvanceWithDirectIO() throws {
        let storage = newStorage(under: "/var/tmp")
        let path = ArbiterLayout.defaultPath(storagePath: storage)
        let n1 = try Self.file("n1", in: storage)
        let n2 = try Self.file("n2", in: storage)
        #expect(n1.ioMode == .direct && n2.ioMode == .direct,
                "\(Self.fileSystem(of: storage)) under /var/tmp: \(n1.ioMode) (\(n1.fallbackReason ?? "")), \(n2.ioMode)")
        #expect(n1.fallbackReason == nil)
        try expectHeartbeatsSeenBothWays(n1, n2)

        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect(attributes[.size] as? Int == 4096 * 7)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let directory = try FileManager.default.attributesOfItem(atPath: storage + "/.hacluster")
        #expect((directory[.posixPermissions] as? Int) == 0o700)
        // Per cycle: one pwrite of 4 KiB, one pread of the whole file (7 blocks here).
        let before = n1.counters
        try n1.writeHeartbeat(Self.heartbeat("n1", counter: 99))
        _ = try n1.readSnapshot()
        let after = n1.counters
        #expect(after.writes - before.writes == 1 && after.bytesWritten - before.bytesWritten == 4096)
        #expect(after.reads - before.reads == 1 && after.bytesRead - before.bytesRead == 4096 * 7)
    }

    @Test func tmpfsRoundTrip() throws {
        let storage = newStorage(under: "/dev/shm")
        let n1 = try Self.file("n1", in: storage)
        let n2 = try Self.file("n2", in: storage)
        // tmpfs has O_DIRECT since Linux 6.6; older kernels give the fallback here. Either works.
        print("arbiter file on \(Self.fileSystem(of: storage)) (/dev/shm): \(n1.ioMode)\(n1.fallbackReason.map { " (\($0))" } ?? "")")
        try expectHeartbeatsSeenBothWays(n1, n2)
    }

    @Test(.enabled(if: getuid() == 0, "mounts a ramfs"))
    func ramfsRefusesDirectIOAndTheFallbackIsUsed() throws {
        let storage = ramfs()
        #expect(Self.fileSystem(of: storage) == "ramfs")
        let n1 = try Self.file("n1", in: storage)
        let n2 = try Self.file("n2", in: storage)
        #expect(n1.ioMode == .fallback && n2.ioMode == .fallback)
        #expect(n1.fallbackReason == "open with O_DIRECT: EINVAL (Invalid argument)")
        try expectHeartbeatsSeenBothWays(n1, n2)
        try n2.writePoison(ArbiterPoison(target: "n1", targetIncarnation: Incarnation(7), from: "n2", wallClock: 1))
        #expect(try n1.readMailbox(of: "n1").value?.targetIncarnation == Incarnation(7))
    }

    @Test func directIONeverUsesTheFallbackOnAnyFileSystem() throws {
        let storage = newStorage(under: "/var/tmp")
        let n1 = try Self.file("n1", in: storage, directIO: .never)
        let n2 = try Self.file("n2", in: storage)
        #expect(n1.ioMode == .fallback && n2.ioMode == .direct)
        try expectHeartbeatsSeenBothWays(n1, n2)
    }

    @Test func aPoisonPillWrittenByOneIsReadByTheOther() throws {
        let storage = newStorage(under: "/var/tmp")
        let n1 = try Self.file("n1", in: storage)
        let w3 = try Self.file("w3", in: storage)
        #expect(try n1.readMailbox(of: "n1") == .empty)
        let pill = ArbiterPoison(target: "n1", targetIncarnation: Incarnation(101), from: "w3", wallClock: 1_800_000_000_000)
        try w3.writePoison(pill)
        #expect(try n1.readMailbox(of: "n1") == .valid(pill))
        #expect(try n1.readSnapshot().mailboxes == ["n1": .valid(pill), "n2": .empty, "w3": .empty])
        #expect(try n1.readHeartbeats().values.allSatisfy { $0 == .empty })  // a pill is no heartbeat
        try n1.clearMailbox(of: "n1")
        #expect(try w3.readMailbox(of: "n1") == .empty)
        #expect(throws: ArbiterFileError.record(file: n1.path, .unknownNode("n9"))) { try n1.readMailbox(of: "n9") }
    }

    @Test func anotherClustersFileIsRefusedWithItsPathAndLeftAlone() throws {
        let storage = newStorage(under: "/var/tmp")
        let path = ArbiterLayout.defaultPath(storagePath: storage)
        let theirs = ArbiterCodec(key: ArbiterKey(keyMaterial: [7, 7, 7], clusterName: "payroll"), layout: ArbiterLayout(nodes: ["p1", "p2"]))
        _ = try ArbiterFile(path: path, codec: theirs, localNode: "p1")
        let before = try Data(contentsOf: URL(fileURLWithPath: path))

        #expect {
            _ = try Self.file("n1", in: storage)
        } throws: { error in
            guard let error = error as? ArbiterFileError, case let .header(file, .otherCluster(name, expected)) = error else { return false }
            return file == path && name == "payroll" && expected == "arbiter_test"
                && error.description.hasPrefix("\(path): header belongs to cluster 'payroll'")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "the other cluster's file was modified")

        // Same cluster, other [[node]] list: refused, naming both lists.
        let other = newStorage(under: "/var/tmp")
        let fewer = ArbiterCodec(key: Self.codec.key, layout: ArbiterLayout(nodes: ["n1", "n2"]))
        _ = try ArbiterFile(path: ArbiterLayout.defaultPath(storagePath: other), codec: fewer, localNode: "n1")
        #expect(throws: ArbiterFileError.header(file: ArbiterLayout.defaultPath(storagePath: other), .otherNodes(file: ["n1", "n2"], configured: Self.nodes))) {
            _ = try Self.file("n2", in: other)
        }
    }

    /// A file re-initialised by another configuration after we opened it: the next full read says so.
    @Test func everyFullReadChecksTheHeaderAgain() throws {
        let storage = newStorage(under: "/var/tmp")
        let n1 = try Self.file("n1", in: storage)
        _ = try n1.readSnapshot()
        let foreign = try ArbiterCodec(key: ArbiterKey(keyMaterial: [1], clusterName: "other"), layout: Self.layout).encodeHeader()
        let handle = try #require(FileHandle(forUpdatingAtPath: n1.path))
        try handle.write(contentsOf: foreign)
        try handle.close()
        #expect(throws: ArbiterFileError.header(file: n1.path, .otherCluster(name: "other", expected: "arbiter_test"))) {
            _ = try n1.readHeartbeats()
        }
    }

    /// Nodes starting together on a new file, and a file whose creator died before writing the header.
    @Test func racingInitialisationAndAnUnwrittenHeader() throws {
        for round in 0..<10 {
            let storage = newStorage(under: "/var/tmp")
            let results = ResultBox()
            DispatchQueue.concurrentPerform(iterations: 3) { index in
                let node = Self.nodes[index]
                results.add(Result { try Self.file(node, in: storage) }.map { _ in node })
            }
            #expect(results.failures.isEmpty, "round \(round): \(results.failures)")
            let header = try Data(contentsOf: URL(fileURLWithPath: ArbiterLayout.defaultPath(storagePath: storage))).prefix(4096)
            #expect(Array(header) == (try Self.codec.encodeHeader()))
        }
        // An empty file (created, never written) and a file of zeros: initialised by the next opener.
        for initial in [Data(), Data(count: 4096 * 7)] {
            let storage = newStorage(under: "/var/tmp")
            try FileManager.default.createDirectory(atPath: storage + "/.hacluster", withIntermediateDirectories: false)
            FileManager.default.createFile(atPath: ArbiterLayout.defaultPath(storagePath: storage), contents: initial)
            let n2 = try Self.file("n2", in: storage)
            #expect(n2.ioMode == .direct)
            #expect(try n2.readHeartbeats() == ["n1": .empty, "n2": .empty, "w3": .empty])
        }
    }

    @Test func aMissingStorageDirectoryIsNotCreated() throws {
        let storage = newStorage(under: "/var/tmp") + "/not-mounted"
        let path = ArbiterLayout.defaultPath(storagePath: storage)
        #expect(throws: ArbiterFileError.storageMissing(file: path, directory: storage)) { _ = try Self.file("n1", in: storage) }
        #expect(!FileManager.default.fileExists(atPath: storage))
    }

    @Test func aTruncatedFileIsReportedWithWhatWasRead() throws {
        let storage = newStorage(under: "/var/tmp")
        let n1 = try Self.file("n1", in: storage)
        #expect(truncate(n1.path, 4096 * 3) == 0)
        #expect {
            _ = try n1.readSnapshot()
        } throws: { error in
            guard let error = error as? ArbiterFileError, case let .shortRead(file, what, read, expected) = error else { return false }
            return file == n1.path && what.contains("header and every slot") && read == 4096 * 3 && expected == 4096 * 7
        }
        n1.close()
        #expect(throws: ArbiterFileError.closed(file: n1.path)) { try n1.writeHeartbeat(Self.heartbeat("n1", counter: 1)) }
    }
}

/// Results of concurrent openers.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<String, any Error>] = []
    func add(_ result: Result<String, any Error>) { lock.withLock { results.append(result) } }
    var failures: [String] {
        lock.withLock { results.compactMap { if case let .failure(error) = $0 { "\(error)" } else { nil } } }
    }
}
