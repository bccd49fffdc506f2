import ClusterCore
import FoundationEssentials
import NIOConcurrencyHelpers
import SystemPackage
import Glibc

/// The arbiter file on the shared storage (`[quorum] tie_breaker = "storage"`): this node's
/// disk heartbeat, everyone's heartbeats, and the poison-pill mailboxes (`ArbiterLayout`).
///
/// Every call is synchronous and blocks for its I/O (a hung NFS server hangs it): the daemon
/// runs it on a thread of its own with its own timeout, never on the event loop. Calls are
/// serialised by a lock, so one instance may be handed between threads.
///
/// **Bypassing the page cache.** Another machine writes the peers' blocks; a read served from
/// this machine's page cache would show a peer frozen in the past. So the file is opened with
/// O_DIRECT (reads and writes go to the storage; buffers, offsets and lengths are 4096-aligned)
/// and O_DSYNC (a write returns once the storage has it). A file system that refuses O_DIRECT
/// answers EINVAL, at open or at the first read or write; the file is then reopened without
/// it (`ioMode == .fallback`): writes stay O_DSYNC, and every read is preceded by
/// `posix_fadvise(POSIX_FADV_DONTNEED)` over its range, which drops the cached pages so the
/// read goes to the storage (NFS, FUSE) or to the one shared cache (a local file system).
///
/// **I/O per call.** `writeHeartbeat`, `writePoison`, `clearMailbox`: one `pwrite` of one
/// block. `readHeartbeats` and `readSnapshot`: one `pread` of the whole file, header included
/// (4096 × (1 + 2 × nodes) bytes), so each read also checks that the file still carries this
/// cluster's header (an arbiter file replaced or re-initialised by another configuration is
/// reported, not read). `readMailbox`: one `pread` of one block. A heartbeat cycle is
/// therefore two I/Os with `readSnapshot` (which includes every mailbox), three with
/// `readHeartbeats` + `readMailbox`.
///
/// **Creation** (check, then verify). The `.hacluster` directory is created (0700) when
/// missing, but not its parent: a missing storage directory means the storage is not mounted.
/// The file is created (0600) when missing. The header is the same bytes on every node of one
/// configuration, so whichever node finds block 0 zero (a new file, or one whose creator died
/// before writing it) writes it, even when two nodes do so at once; the file is then extended
/// to the layout's size, and each node reads block 0 again and checks that it is its own
/// header (a peer with another configuration may have written its own at the same instant).
/// Nothing is written to a file whose header is another's; every full read checks it again.
public final class ArbiterFile: @unchecked Sendable {
    /// How reads and writes reach the storage.
    public enum IOMode: String, Sendable, CustomStringConvertible {
        /// O_DIRECT + O_DSYNC: the page cache is bypassed.
        case direct
        /// O_DSYNC writes, `posix_fadvise(DONTNEED)` before each read: the file system refused O_DIRECT.
        case fallback

        public var description: String { rawValue }
    }

    /// Whether to try O_DIRECT at all.
    public enum DirectIO: Sendable {
        /// O_DIRECT, falling back when the file system answers EINVAL (the daemon's choice).
        case whenSupported
        /// The fallback from the start (to compare the two modes on one file system).
        case never
    }

    /// Reads and writes since the file was opened (`bytesRead` / `bytesWritten` count what the
    /// storage transferred, header initialisation included).
    public struct Counters: Sendable, Equatable {
        public var reads = 0
        public var writes = 0
        public var bytesRead = 0
        public var bytesWritten = 0
    }

    public let path: String
    public let localNode: String
    public let codec: ArbiterCodec
    public var layout: ArbiterLayout { codec.layout }

    private let lock = NIOLock()
    private var descriptor: Int32 = -1
    private var mode: IOMode
    private var modeReason: String?
    private var counts = Counters()
    /// The header block this node expects (compared byte for byte on every full read).
    private let expectedHeader: [UInt8]
    /// 4096-aligned buffers for O_DIRECT: the whole file for reads, one block for writes.
    private let readBuffer: UnsafeMutableRawPointer
    private let writeBuffer: UnsafeMutableRawPointer

    /// Opens the arbiter file at `path`, creating and initialising it when needed, and checks
    /// that its header is this cluster's (`codec.key`) and layout's (`codec.layout`).
    public init(path: String, codec: ArbiterCodec, localNode: String, directIO: DirectIO = .whenSupported) throws(ArbiterFileError) {
        self.path = path
        self.localNode = localNode
        self.codec = codec
        self.mode = directIO == .never ? .fallback : .direct
        self.modeReason = directIO == .never ? "O_DIRECT not requested" : nil
        do {
            self.expectedHeader = try codec.encodeHeader()
        } catch {
            throw .header(file: path, error)
        }
        self.readBuffer = Self.alignedBuffer(codec.layout.fileSize)
        self.writeBuffer = Self.alignedBuffer(ArbiterLayout.blockSize)
        guard codec.layout.slot(of: localNode) != nil else { throw .record(file: path, .unknownNode(localNode)) }
        try createDirectory()
        try openAndInitialise()
    }

    deinit {
        if descriptor >= 0 { Glibc.close(descriptor) }
        free(readBuffer)
        free(writeBuffer)
    }

    /// Direct or fallback; may change from direct to fallback at the first read or write.
    public var ioMode: IOMode { lock.withLock { mode } }

    /// Why the mode is the fallback (e.g. "open with O_DIRECT: EINVAL (Invalid argument)"), nil when direct.
    public var fallbackReason: String? { lock.withLock { modeReason } }

    public var counters: Counters { lock.withLock { counts } }

    /// Closes the file; every later call throws `closed`.
    public func close() {
        lock.withLock {
            if descriptor >= 0 { Glibc.close(descriptor) }
            descriptor = -1
        }
    }

    // MARK: The calls of a heartbeat cycle

    /// Writes this node's heartbeat into its own heartbeat block (one pwrite, O_DSYNC).
    public func writeHeartbeat(_ heartbeat: ArbiterHeartbeat) throws(ArbiterFileError) {
        precondition(heartbeat.node == localNode, "node \(localNode) must write only its own heartbeat, not \(heartbeat.node)'s")
        let slot = layout.slot(of: localNode)!
        let block: [UInt8]
        do { block = try codec.encode(heartbeat) } catch { throw .record(file: path, error) }
        try locked { () throws(ArbiterFileError) in
            try write(block, at: slot.heartbeatOffset, what: "slot \(slot.index) heartbeat (node \(slot.node), offset \(slot.heartbeatOffset))")
        }
    }

    /// Every node's heartbeat block, this node's included (one pread of the whole file).
    public func readHeartbeats() throws(ArbiterFileError) -> [String: ArbiterRecord<ArbiterHeartbeat>] {
        try readSnapshot().heartbeats
    }

    /// Every heartbeat and every mailbox (one pread of the whole file).
    public func readSnapshot() throws(ArbiterFileError) -> ArbiterSnapshot {
        let bytes = try locked { () throws(ArbiterFileError) -> [UInt8] in
            let size = layout.fileSize
            try read(at: 0, count: size, what: "blocks 0-\(size / ArbiterLayout.blockSize - 1) (header and every slot, \(size) bytes)")
            return Array(UnsafeRawBufferPointer(start: readBuffer, count: size))
        }
        let header = Array(bytes[0..<ArbiterLayout.blockSize])
        if header != expectedHeader {
            do { try codec.checkHeader(header) } catch { throw .header(file: path, error) }
        }
        return codec.decodeSlots(Array(bytes[ArbiterLayout.blockSize...]))
    }

    /// Writes a poison pill into its target's mailbox (one pwrite, O_DSYNC).
    public func writePoison(_ poison: ArbiterPoison) throws(ArbiterFileError) {
        precondition(poison.from == localNode, "node \(localNode) must sign its pills as itself, not as \(poison.from)")
        guard let slot = layout.slot(of: poison.target) else { throw .record(file: path, .unknownNode(poison.target)) }
        let block: [UInt8]
        do { block = try codec.encode(poison) } catch { throw .record(file: path, error) }
        try locked { () throws(ArbiterFileError) in
            try write(block, at: slot.mailboxOffset, what: "the mailbox of \(slot.node) (slot \(slot.index), offset \(slot.mailboxOffset))")
        }
    }

    /// `node`'s mailbox (one pread of one block; the header is not re-read).
    public func readMailbox(of node: String) throws(ArbiterFileError) -> ArbiterRecord<ArbiterPoison> {
        guard let slot = layout.slot(of: node) else { throw .record(file: path, .unknownNode(node)) }
        let block = try locked { () throws(ArbiterFileError) -> [UInt8] in
            try read(at: slot.mailboxOffset, count: ArbiterLayout.blockSize,
                     what: "the mailbox of \(slot.node) (slot \(slot.index), offset \(slot.mailboxOffset))")
            return Array(UnsafeRawBufferPointer(start: readBuffer, count: ArbiterLayout.blockSize))
        }
        return codec.decodePoison(block, for: node)
    }

    /// Empties `node`'s mailbox (one pwrite of a zero block).
    public func clearMailbox(of node: String) throws(ArbiterFileError) {
        guard let slot = layout.slot(of: node) else { throw .record(file: path, .unknownNode(node)) }
        try locked { () throws(ArbiterFileError) in
            try write([UInt8](repeating: 0, count: ArbiterLayout.blockSize), at: slot.mailboxOffset,
                      what: "the mailbox of \(slot.node) (slot \(slot.index), offset \(slot.mailboxOffset))")
        }
    }

    // MARK: Opening

    private func createDirectory() throws(ArbiterFileError) {
        let directory = FilePath(path).removingLastComponent().string
        var info = stat()
        if stat(directory, &info) == 0 { return }
        let parent = FilePath(directory).removingLastComponent().string
        guard stat(parent, &info) == 0 else { throw .storageMissing(file: path, directory: parent) }
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw .cannotCreateDirectory(file: path, directory: directory, errno: errno)
        }
    }

    private func openAndInitialise() throws(ArbiterFileError) {
        let fd = openFile(extraFlags: O_CREAT)
        guard fd >= 0 else { throw .cannotOpen(file: path, errno: errno) }
        descriptor = fd

        // Block 0: refuse another's header before touching anything.
        let what = "the header (block 0)"
        let got = try read(at: 0, count: ArbiterLayout.blockSize, what: what, allowShort: true)
        var header = Array(UnsafeRawBufferPointer(start: readBuffer, count: got))
        header += [UInt8](repeating: 0, count: ArbiterLayout.blockSize - got)
        if header.allSatisfy({ $0 == 0 }) {
            // Ours to initialise: new, or its creator has not written it yet.
            try write(expectedHeader, at: 0, what: what)
        } else if header != expectedHeader {
            do { try codec.checkHeader(header) } catch { throw .header(file: path, error) }
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .cannotOpen(file: path, errno: errno) }
        // Only ever extended: a shorter layout is another configuration's, refused by the header.
        if Int(info.st_size) < layout.fileSize,
           Syscall.retryingEINTR({ ftruncate(descriptor, off_t(layout.fileSize)) }) != 0 {
            throw .cannotResize(file: path, size: layout.fileSize, errno: errno)
        }
        // A peer with another configuration may have initialised it at the same instant.
        try read(at: 0, count: ArbiterLayout.blockSize, what: what)
        header = Array(UnsafeRawBufferPointer(start: readBuffer, count: ArbiterLayout.blockSize))
        if header != expectedHeader {
            do { try codec.checkHeader(header) } catch { throw .header(file: path, error) }
        }
    }

    /// open(2) in the current mode; an EINVAL for O_DIRECT switches to the fallback and retries.
    private func openFile(extraFlags: Int32) -> Int32 {
        while true {
            let flags = O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_DSYNC | extraFlags | (mode == .direct ? DirectIOFlag.value : 0)
            let fd = Syscall.retryingEINTR { open(path, flags, 0o600) }
            if fd < 0 && errno == EINVAL && mode == .direct {
                mode = .fallback
                modeReason = "open with O_DIRECT: \(ErrnoName.describe(EINVAL))"
                continue
            }
            return fd
        }
    }

    // MARK: Block I/O (under the lock)

    /// Reads `count` bytes at `offset` into `readBuffer`; returns how many (fewer only with `allowShort`, at the end of the file).
    @discardableResult
    private func read(at offset: Int, count: Int, what: String, allowShort: Bool = false) throws(ArbiterFileError) -> Int {
        guard descriptor >= 0 else { throw .closed(file: path) }
        if mode == .fallback {
            let result = posix_fadvise(descriptor, off_t(offset), off_t(count), POSIX_FADV_DONTNEED)
            // Without it the read may come from the cache: a peer's stale block, so no read at all.
            guard result == 0 else { throw .readFailed(file: path, what: what + " (posix_fadvise DONTNEED)", errno: result) }
        }
        var done = 0
        while done < count {
            let n = Syscall.retryingEINTR { pread(descriptor, readBuffer + done, count - done, off_t(offset + done)) }
            if n < 0 {
                let code = errno
                if code == EINVAL && mode == .direct {
                    try reopenWithoutDirectIO(after: "read")
                    return try read(at: offset, count: count, what: what, allowShort: allowShort)
                }
                throw .readFailed(file: path, what: what, errno: code)
            }
            if n == 0 { break }
            done += n
        }
        counts.reads += 1
        counts.bytesRead += done
        guard done == count || allowShort else { throw .shortRead(file: path, what: what, read: done, expected: count) }
        return done
    }

    /// Writes one block at `offset` from `writeBuffer`.
    private func write(_ block: [UInt8], at offset: Int, what: String) throws(ArbiterFileError) {
        guard descriptor >= 0 else { throw .closed(file: path) }
        precondition(block.count == ArbiterLayout.blockSize && offset % ArbiterLayout.blockSize == 0)
        block.withUnsafeBytes { writeBuffer.copyMemory(from: $0.baseAddress!, byteCount: ArbiterLayout.blockSize) }
        var done = 0
        while done < block.count {
            let n = Syscall.retryingEINTR { pwrite(descriptor, writeBuffer + done, block.count - done, off_t(offset + done)) }
            if n < 0 {
                let code = errno
                if code == EINVAL && mode == .direct {
                    try reopenWithoutDirectIO(after: "write")
                    return try write(block, at: offset, what: what)
                }
                throw .writeFailed(file: path, what: what, errno: code)
            }
            if n == 0 { throw .shortWrite(file: path, what: what, written: done, expected: block.count) }
            done += n
        }
        counts.writes += 1
        counts.bytesWritten += done
    }

    /// The file system accepted O_DIRECT at open but refuses it for I/O: continue without it.
    private func reopenWithoutDirectIO(after call: String) throws(ArbiterFileError) {
        mode = .fallback
        modeReason = "\(call) with O_DIRECT: \(ErrnoName.describe(EINVAL))"
        let fd = openFile(extraFlags: 0)
        guard fd >= 0 else { throw .cannotOpen(file: path, errno: errno) }
        Glibc.close(descriptor)
        descriptor = fd
    }

    /// Runs `body` holding the lock (NIOLock.withLock would erase the error's type).
    private func locked<Result>(_ body: () throws(ArbiterFileError) -> Result) throws(ArbiterFileError) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    private static func alignedBuffer(_ size: Int) -> UnsafeMutableRawPointer {
        var pointer: UnsafeMutableRawPointer?
        let result = posix_memalign(&pointer, ArbiterLayout.blockSize, size)
        precondition(result == 0 && pointer != nil, "posix_memalign of \(size) bytes failed: \(result)")
        memset(pointer!, 0, size)
        return pointer!
    }
}
