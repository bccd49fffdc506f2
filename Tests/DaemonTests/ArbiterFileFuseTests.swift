import ClusterCore
import ClusterHost
import Foundation
import Testing

/// ArbiterFile on a FUSE file system (`scripts/testlib/faultfs`, its kernel page cache on): one
/// that refuses O_DIRECT at open, one that accepts the open and refuses the I/O, one that
/// accepts it, and storage that answers EIO (faultfs's error mode). A block written into the
/// backing directory behind the mount stands for another machine's write: this machine's page
/// cache of the mount does not know about it, so only a read that bypasses (direct) or drops
/// (fallback: posix_fadvise DONTNEED) the cache sees it.
@Suite(.serialized, .enabled(if: FaultFSMount.available, "needs root and /dev/fuse"))
final class ArbiterFileFuseTests {
    private var mounts: [FaultFSMount] = []
    private var directories: [String] = []

    deinit {
        for mount in mounts { mount.stop() }
        for directory in directories { TestShell.run("rm -rf '\(directory)'", timeout: 10) }
    }

    func mount(_ directIO: FaultFSMount.DirectIO) throws -> FaultFSMount {
        let directory = "/var/tmp/hacd-arbiter-fuse-\(getpid())-\(UniqueTestNumber.shared.next())"
        TestShell.must("mkdir -p '\(directory)/backing' '\(directory)/storage'")
        directories.append(directory)
        let mount = try FaultFSMount(backing: directory + "/backing", mountpoint: directory + "/storage", directIO: directIO, cache: .page)
        mounts.append(mount)
        return mount
    }

    static let relativePath = ArbiterLayout.defaultRelativePath

    /// Rounds of: another machine writes n2's heartbeat into the backing file; a buffered
    /// descriptor on the mount still reads the old block (the premise: this mount caches);
    /// `reader`'s next read sees the new one.
    func expectWritesBehindTheMountSeen(by reader: ArbiterFile, on mount: FaultFSMount, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let offset = ArbiterFileTests.layout.slot(of: "n2")!.heartbeatOffset
        let buffered = open(reader.path, O_RDONLY)
        #expect(buffered >= 0, sourceLocation: sourceLocation)
        defer { close(buffered) }
        var cached = [UInt8](repeating: 0, count: 4096)
        for counter in UInt64(1)...4 {
            #expect(pread(buffered, &cached, 4096, off_t(offset)) == 4096, sourceLocation: sourceLocation)
            let before = cached
            let block = try ArbiterFileTests.codec.encode(ArbiterFileTests.heartbeat("n2", counter: counter))
            try mount.writeBehindTheMount(Self.relativePath, block, at: offset)
            #expect(pread(buffered, &cached, 4096, off_t(offset)) == 4096, sourceLocation: sourceLocation)
            #expect(cached == before, "the mount's page cache was not used: this test shows nothing here", sourceLocation: sourceLocation)
            #expect(try reader.readHeartbeats()["n2"]?.value?.counter == counter,
                    "\(reader.ioMode) read returned a stale block", sourceLocation: sourceLocation)
        }
    }

    @Test func refusedAtOpenTheFallbackDropsTheCacheBeforeEachRead() throws {
        let fuse = try mount(.refuseOpen)
        let n1 = try ArbiterFileTests.file("n1", in: fuse.mountpoint)
        #expect(n1.ioMode == .fallback)
        #expect(n1.fallbackReason == "open with O_DIRECT: EINVAL (Invalid argument)")
        try expectWritesBehindTheMountSeen(by: n1, on: fuse)
    }

    @Test func refusedAtTheIOTheFileIsReopenedWithoutDirectIO() throws {
        let fuse = try mount(.refuseIO)
        let n1 = try ArbiterFileTests.file("n1", in: fuse.mountpoint)
        let w3 = try ArbiterFileTests.file("w3", in: fuse.mountpoint)
        #expect(n1.ioMode == .fallback && w3.ioMode == .fallback)
        // n1 found an empty file (nothing to read): its header write was refused first;
        // w3 found the header and its read was refused.
        #expect(n1.fallbackReason == "write with O_DIRECT: EINVAL (Invalid argument)")
        #expect(w3.fallbackReason == "read with O_DIRECT: EINVAL (Invalid argument)")
        try expectWritesBehindTheMountSeen(by: n1, on: fuse)
        let pill = ArbiterPoison(target: "n1", targetIncarnation: Incarnation(5), from: "w3", wallClock: 9)
        try w3.writePoison(pill)
        #expect(try n1.readMailbox(of: "n1") == .valid(pill))
    }

    @Test func acceptedDirectReadsGoToTheStorage() throws {
        let fuse = try mount(.pass)
        let n1 = try ArbiterFileTests.file("n1", in: fuse.mountpoint)
        #expect(n1.ioMode == .direct)
        try expectWritesBehindTheMountSeen(by: n1, on: fuse)
    }

    @Test func storageAnsweringEIOIsReportedWithTheFileAndTheSlot() throws {
        let fuse = try mount(.pass)
        let n1 = try ArbiterFileTests.file("n1", in: fuse.mountpoint)
        let path = n1.path
        try fuse.fail()
        #expect {
            try n1.writeHeartbeat(ArbiterFileTests.heartbeat("n1", counter: 1))
        } throws: { error in
            (error as? ArbiterFileError)?.description == "\(path): write of slot 0 heartbeat (node n1, offset 4096) failed: EIO (Input/output error)"
        }
        #expect {
            _ = try n1.readHeartbeats()
        } throws: { error in
            (error as? ArbiterFileError)?.description
                == "\(path): read of blocks 0-6 (header and every slot, 28672 bytes) failed: EIO (Input/output error)"
        }
        #expect(throws: ArbiterFileError.readFailed(file: path, what: "the mailbox of n1 (slot 0, offset 8192)", errno: EIO)) {
            _ = try n1.readMailbox(of: "n1")
        }
        try fuse.recover()
        try n1.writeHeartbeat(ArbiterFileTests.heartbeat("n1", counter: 2))
        #expect(try n1.readHeartbeats()["n1"]?.value?.counter == 2)
        #expect(n1.ioMode == .direct)
    }
}
