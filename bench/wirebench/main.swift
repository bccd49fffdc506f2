import ClusterCore
import ClusterHost
import Foundation

// Prints the cost of the wire layer, of the state file and of the storage lock, for the README:
//   swift run -c release wirebench [STATE_DIR] [ITERATIONS]
// STATE_DIR should be on the disk the daemon's state_dir uses (fsync cost); the lock is taken
// there too (give the shared storage's directory to see flock's cost on it, e.g. over NFS).

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
