import ClusterCore
import ClusterHost

/// The built-in storage fence device (`agent = "storage"`): sbd's poison pill, on the arbiter
/// file of a NAS export instead of a shared block device.
///
/// Fencing a node:
/// 1. read the arbiter file: the victim's disk heartbeat names the run of its daemon
///    (incarnation) the pill is for; no heartbeat, no pill (nothing to address it to);
/// 2. write the pill into the victim's mailbox and read it back, noting the victim's
///    heartbeat counter at that moment;
/// 3. wait `msgwait`. A victim that reads its mailbox (every heartbeat interval) fences itself
///    at once; one too hung to read it stops petting its watchdog and is reset within
///    `watchdog_timeout`; one cut from the storage while holding the service stops petting too
///    (`WatchdogHealth`). `msgwait` ≥ 2 × `watchdog_timeout` covers all three;
/// 4. confirm: read the victim's heartbeat again. Still advancing in the same run (more than the
///    one write a cycle in progress may add) means the victim ignored its pill: the device fails.
///    Stopped, or a new run (it rebooted and started again), is success.
///
/// Every I/O runs on a thread of its own with `[fencing] timeout`: a hung storage fails the
/// device instead of hanging the fence. The pill is left in the mailbox; the victim's next run
/// finds it stale (another incarnation) and clears it.
public struct PoisonPillFence: Sendable {
    public typealias Emit = @Sendable (EventKind, ClusterEvent.Severity, String) -> Void

    public let path: String
    public let localNode: String
    public let codec: ArbiterCodec
    private let sleep: @Sendable (Duration) async -> Void
    private let wallClock: @Sendable () -> UInt64

    public init(
        config: ClusterConfig, key: ArbiterKey, localNode: String,
        sleep: @escaping @Sendable (Duration) async -> Void = { try? await Task.sleep(for: $0) },
        wallClock: @escaping @Sendable () -> UInt64 = { SystemClock.wallClockMilliseconds() }
    ) {
        self.path = config.storage.arbiterFile
        self.localNode = localNode
        self.codec = ArbiterCodec(key: key, layout: ArbiterLayout(config: config))
        self.sleep = sleep
        self.wallClock = wallClock
    }

    /// Fences `node` through `device`; returns a one-line account of how it was confirmed.
    public func fence(node: String, device: String, msgwait: Duration, ioTimeout: Duration, emit: Emit) async throws(FenceError) -> String {
        let from = localNode
        let clock = wallClock
        let written = try await io("writing the poison pill", device: device, timeout: ioTimeout) { file throws(ArbiterFileError) -> Result<(ArbiterPoison, ArbiterHeartbeat), PillProblem> in
            let before = try file.readSnapshot()
            guard let record = before.heartbeats[node] else { return .failure(.noSlot) }
            let heartbeat: ArbiterHeartbeat
            switch record {
            case .valid(let value): heartbeat = value
            case .empty: return .failure(.noHeartbeat)
            case .invalid(let error): return .failure(.badHeartbeat(error))
            }
            let pill = ArbiterPoison(target: node, targetIncarnation: heartbeat.incarnation, from: from, wallClock: clock())
            try file.writePoison(pill)
            let after = try file.readSnapshot()
            guard after.mailboxes[node]?.value == pill else { return .failure(.notReadBack(after.mailboxes[node])) }
            return .success((pill, after.heartbeats[node]?.value ?? heartbeat))
        }
        let (pill, atPill): (ArbiterPoison, ArbiterHeartbeat)
        switch written {
        case .success(let value): (pill, atPill) = value
        case .failure(let problem): throw .storage(device: device, reason: problem.describe(node: node, path: path))
        }
        emit(.arbiterPoisonWritten, .notice,
             "poison pill for \(node) (run \(pill.targetIncarnation), disk heartbeat \(atPill.counter)) written to \(path); "
             + "\(node) counts as fenced after msgwait \(msgwait.fenceDescription)")
        await sleep(msgwait)

        let later = try await io("confirming after msgwait", device: device, timeout: ioTimeout) { file throws(ArbiterFileError) in
            try file.readSnapshot().heartbeats[node]
        }
        guard case .valid(let now) = later else {
            let found = later.map { "\($0)" } ?? "no slot"
            throw .storage(device: device, reason: "confirming after msgwait: \(node)'s heartbeat block is no longer readable (\(found))")
        }
        if now.incarnation != atPill.incarnation {
            return "\(node) started again as run \(now.incarnation) (the pill was for run \(atPill.incarnation))"
        }
        // A cycle in progress when the pill landed may add one write before its read finds the pill.
        guard now.counter <= atPill.counter + 1 else {
            throw .storage(device: device, reason: "\(node)'s disk heartbeat still advances \(msgwait.fenceDescription) after the pill "
                + "(counter \(atPill.counter) → \(now.counter)): it did not fence itself (does its daemon read its mailbox?)")
        }
        return "\(node)'s disk heartbeat stopped at \(now.counter) (pill at \(atPill.counter)), msgwait \(msgwait.fenceDescription) passed"
    }

    /// The device's monitor: nil when the arbiter file opens and reads with this cluster's
    /// header, else why not.
    public func check(ioTimeout: Duration) async -> String? {
        do throws(FenceError) {
            _ = try await io("reading the arbiter file", device: "storage", timeout: ioTimeout) { file throws(ArbiterFileError) in
                try file.readSnapshot()
            }
            return nil
        } catch {
            guard case .storage(_, let reason) = error else { return error.description }
            return reason
        }
    }

    private enum PillProblem: Error, Sendable {
        case noSlot
        case noHeartbeat
        case badHeartbeat(ArbiterRecordError)
        case notReadBack(ArbiterRecord<ArbiterPoison>?)

        func describe(node: String, path: String) -> String {
            switch self {
            case .noSlot:
                "\(node) has no slot in \(path)"
            case .noHeartbeat:
                "\(node) never wrote a disk heartbeat to \(path): the run a pill would be for is unknown "
                    + "(is its daemon running with tie_breaker = \"storage\" on this file?)"
            case .badHeartbeat(let error):
                "\(node)'s heartbeat block in \(path) cannot be trusted: \(error)"
            case .notReadBack(let found):
                "the pill written to \(node)'s mailbox in \(path) did not read back (found \(found.map { "\($0)" } ?? "nothing"))"
            }
        }
    }

    /// Opens the file, runs `body`, closes it, on a thread of its own bounded by `timeout`.
    private func io<T: Sendable>(
        _ what: String, device: String, timeout: Duration,
        _ body: @escaping @Sendable (ArbiterFile) throws(ArbiterFileError) -> T
    ) async throws(FenceError) -> T {
        let path = path, codec = codec, localNode = localNode
        let result: Result<T, ArbiterFileError>? = await DedicatedThread.run(name: "storage fence", timeout: timeout) {
            do throws(ArbiterFileError) {
                let file = try ArbiterFile(path: path, codec: codec, localNode: localNode)
                defer { file.close() }
                return .success(try body(file))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let value)?: return value
        case .failure(let error)?: throw .storage(device: device, reason: "\(what): \(error)")
        case nil: throw .storage(device: device, reason: "\(what): \(path) did not answer within \(timeout.fenceDescription) (storage hung?)")
        }
    }
}
