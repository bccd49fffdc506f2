import ClusterCore
import ClusterHost
import Foundation

// Prints the cost of the wire layer, of the state file, of the storage lock and of the arbiter
// file's heartbeat cycle, for the README:
//   swift run -c release wirebench [STATE_DIR] [ITERATIONS]
// STATE_DIR should be on the disk the daemon's state_dir uses (fsync cost); the lock is taken
// and the arbiter file written there too (give the shared storage's directory to see their
// cost on it, e.g. over NFS).

let arguments = CommandLine.arguments.dropFirst()
let directory = arguments.first ?? NSTemporaryDirectory()
let iterations = arguments.dropFirst().first.flatMap(Int.init) ?? 20000

func measure(_ label: String, count: Int, _ body: () throws -> Void) rethrows {
    let clock = ContinuousClock()
    let elapsed = try clock.measure {
        for _ in 0..<count { try body() }
    }
    report(label, elapsed, count)
}

func measureAsync(_ label: String, count: Int, _ body: () async throws -> Void) async rethrows {
    let clock = ContinuousClock()
    let start = clock.now
    for _ in 0..<count { try await body() }
    report(label, start.duration(to: clock.now), count)
}

func report(_ label: String, _ elapsed: Duration, _ count: Int) {
    let perOperation = elapsed / count
    let microseconds = Double(perOperation.components.attoseconds) / 1e12 + Double(perOperation.components.seconds) * 1e6
    print(label.padding(toLength: 54, withPad: " ", startingAt: 0) + String(format: "%10.2f µs/op  (%d ops)", microseconds, count))
}

let names = (1...5).map { "dss\($0)" }
let keys = WireKeys(keyMaterial: (0..<64).map { UInt8($0) }, clusterName: "bench_cluster")
var sender = WireSession(keys: keys, localNode: "dss1", incarnation: Incarnation(1), peers: names)
var receiver = WireSession(keys: keys, localNode: "dss2", incarnation: Incarnation(2), peers: names)
let admin = AdminState(
    stamp: AdminStamp(term: Term(12), version: AdminVersion(40)),
    standby: ["dss4"],
    constraints: [AdminConstraint(kind: .ban, node: "dss3", expires: 1_900_000_000)],
    failures: [FailureRecord(node: "dss1", count: 1, lastFailure: 1_800_000_000)],
    mayHold: ["dss1"]
)
let heartbeat = Message.heartbeat(term: Term(12), sequence: 1, admin: admin, committed: admin.stamp, holder: "dss1", members: names)
let encoded = try MessageCodec.encode(heartbeat)
let datagram = try sender.seal(encoded, to: "dss2")
print("heartbeat of a 5-node cluster: payload \(encoded.count) bytes, datagram \(datagram.count) bytes (limit \(WireFormat.maxDatagramSize))")

try measure("encode heartbeat", count: iterations) { _ = try MessageCodec.encode(heartbeat) }
try measure("decode heartbeat", count: iterations) { _ = try MessageCodec.decode(encoded) }
try measure("encode + seal heartbeat", count: iterations) { _ = try sender.seal(try MessageCodec.encode(heartbeat), to: "dss2") }
var batch: [[UInt8]] = []
for _ in 0..<iterations { batch.append(try sender.seal(encoded, to: "dss2")) }
var next = 0
try measure("open + decode heartbeat (same incarnation)", count: iterations) {
    _ = try receiver.open(batch[next]) { (_, payload) throws(WireError) in try MessageCodec.decode(payload) }
    next += 1
}
var forged = datagram
forged[forged.count - 1] ^= 1
measure("reject a forged datagram (tag)", count: iterations) { _ = try? receiver.open(forged) }
measure("reject garbage (magic)", count: iterations) { _ = try? receiver.open(Array(repeating: 0, count: 200)) }

let store = FileStateStore(directory: directory)
let state = PersistentState(term: Term(12), votedFor: "dss1", admin: admin)
try measure("FileStateStore.save (write, fsync, rename, fsync dir)", count: min(iterations, 200)) { try store.save(state) }
try measure("FileStateStore.load", count: min(iterations, 2000)) { _ = try store.load() }
try? FileManager.default.removeItem(atPath: store.path)

// Uncontended, as at each takeover: open + flock(LOCK_EX|LOCK_NB) + the same-file check, then unlock + close.
let lock = SharedStorageLock(file: (directory as NSString).appendingPathComponent(".wirebench.lock"), acquireTimeout: .seconds(1))
try await measureAsync("SharedStorageLock acquire + release (uncontended)", count: min(iterations, 2000)) {
    try await lock.acquire()
    await lock.release()
}
try? FileManager.default.removeItem(atPath: lock.file)

// The arbiter file ([quorum] tie_breaker = "storage"): one heartbeat cycle of one node of the
// issue's cluster (two servers), as the daemon runs it every heartbeat interval, on a file in
// DIRECTORY (give the NAS mount to measure the storage itself). Per-cycle latencies, then the
// I/O each node sends to the storage (from ArbiterFile's counters).
func percentile(_ sorted: [Duration], _ fraction: Double) -> Double {
    let value = sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    return Double(value.components.seconds) * 1e6 + Double(value.components.attoseconds) / 1e12
}

func measureCycles(_ label: String, count: Int, _ body: () throws -> Void) rethrows {
    let clock = ContinuousClock()
    for _ in 0..<min(50, count) { try body() }  // warm-up
    var samples: [Duration] = []
    samples.reserveCapacity(count)
    for _ in 0..<count { samples.append(try clock.measure(body)) }
    samples.sort()
    print(label.padding(toLength: 54, withPad: " ", startingAt: 0)
        + String(format: "p50 %8.1f µs  p99 %8.1f µs  (%d cycles)", percentile(samples, 0.5), percentile(samples, 0.99), count))
}

let arbiterStorage = (directory as NSString).appendingPathComponent("wirebench-arbiter-\(ProcessInfo.processInfo.processIdentifier)")
try FileManager.default.createDirectory(atPath: arbiterStorage, withIntermediateDirectories: false)
defer { try? FileManager.default.removeItem(atPath: arbiterStorage) }
let arbiterLayout = ArbiterLayout(nodes: ["dss1", "dss2"])
let arbiterCodec = ArbiterCodec(key: ArbiterKey(keyMaterial: (0..<64).map { UInt8($0) }, clusterName: "bench_cluster"), layout: arbiterLayout)
let arbiterPath = ArbiterLayout.defaultPath(storagePath: arbiterStorage)
let cycles = min(iterations, 2000)
var diskHeartbeat = ArbiterHeartbeat(node: "dss1", incarnation: Incarnation(1), term: Term(12), leader: true, holding: true, counter: 0, wallClock: 1_800_000_000_000)

try measure("arbiter: encode heartbeat block (HMAC)", count: iterations) { _ = try arbiterCodec.encode(diskHeartbeat) }
let diskBlock = try arbiterCodec.encode(diskHeartbeat)
measure("arbiter: decode heartbeat block (HMAC check)", count: iterations) { _ = arbiterCodec.decodeHeartbeat(diskBlock, of: "dss1") }
let diskSlots = diskBlock + [UInt8](repeating: 0, count: arbiterLayout.slotsRange.count - diskBlock.count)
measure("arbiter: decode every slot of the file", count: iterations) { _ = arbiterCodec.decodeSlots(diskSlots) }

for directIO in [ArbiterFile.DirectIO.whenSupported, .never] {
    let arbiter = try ArbiterFile(path: arbiterPath, codec: arbiterCodec, localNode: "dss1", directIO: directIO)
    let mode = "\(arbiter.ioMode)"
    print("arbiter file: \(arbiterLayout.nodes.count) nodes, \(arbiterLayout.fileSize) bytes, mode \(mode)"
        + (arbiter.fallbackReason.map { " (\($0))" } ?? ""))

    // As specified: write own heartbeat, read every heartbeat (one pread of the file), read own mailbox.
    var before = arbiter.counters
    try measureCycles("arbiter cycle, \(mode): write + read all + mailbox", count: cycles) {
        diskHeartbeat.counter += 1
        try arbiter.writeHeartbeat(diskHeartbeat)
        _ = try arbiter.readHeartbeats()
        _ = try arbiter.readMailbox(of: "dss1")
    }
    var after = arbiter.counters
    let total = Double(cycles + min(50, cycles))
    func perCycle(_ label: String, _ before: ArbiterFile.Counters, _ after: ArbiterFile.Counters) {
        let writes = Double(after.writes - before.writes) / total, reads = Double(after.reads - before.reads) / total
        let written = Double(after.bytesWritten - before.bytesWritten) / total, read = Double(after.bytesRead - before.bytesRead) / total
        let perSecond = 1.0 / 0.2  // heartbeat_interval = 200 ms
        print("  per cycle (\(label)): writes \(Int(writes)) (\(Int(written)) B), reads \(Int(reads)) (\(Int(read)) B); "
            + String(format: "per node at 200 ms: %.0f IOPS, %.1f KiB/s written, %.1f KiB/s read",
                     (writes + reads) * perSecond, written * perSecond / 1024, read * perSecond / 1024))
    }
    perCycle("3 I/Os", before, after)

    // One read for heartbeats and mailboxes (readSnapshot).
    before = arbiter.counters
    try measureCycles("arbiter cycle, \(mode): write + one read of the file", count: cycles) {
        diskHeartbeat.counter += 1
        try arbiter.writeHeartbeat(diskHeartbeat)
        _ = try arbiter.readSnapshot()
    }
    after = arbiter.counters
    perCycle("2 I/Os", before, after)
    arbiter.close()
}
