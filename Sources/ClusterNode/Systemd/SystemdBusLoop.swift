import ClusterCore
import ClusterHost
internal import CLinux
import CSystemd
import FoundationEssentials
import NIOConcurrencyHelpers
import Glibc

/// One sd-bus connection to a systemd manager, owned by a thread of its own.
///
/// sd-bus objects are not thread-safe, so every sd-bus call happens on `thread`; other
/// threads hand work over through `enqueue` (a locked queue plus a wake-up pipe polled
/// together with the bus fd). Job waits never block that thread: StartUnit/StopUnit
/// return a job path at once, and the JobRemoved signal (or the deadline) completes the
/// waiter. The connection is opened on first use and reopened after a disconnect.
final class SystemdBusLoop: @unchecked Sendable {
    enum JobKind: String {
        case start = "StartUnit"
        case stop = "StopUnit"
    }

    let bus: SystemdBus

    // Shared between threads, guarded by `lock`.
    private let lock = NIOLock()
    private var requests: [(SystemdBusLoop) -> Void] = []
    private var stopping = false
    private let wakeRead: Int32
    private let wakeWrite: Int32

    // Bus-thread state: touched only on `thread`.
    private var connection: OpaquePointer?
    private var jobRemovedSlot: OpaquePointer?
    private var jobs: [String: JobWaiter] = [:]
    private var watches: [Int: UnitWatch] = [:]
    private var nextWatchID = 0

    /// Jobs cancelled before they were issued (the cancel request overtook them).
    private var cancelledTokens: Set<Int> = []

    private struct JobWaiter {
        var token: Int
        var kind: JobKind
        var unit: String
        var timeout: Duration
        var deadline: UInt64
        var continuation: CheckedContinuation<String, any Error>
    }

    init(bus: SystemdBus) {
        self.bus = bus
        var fds: [Int32] = [-1, -1]
        guard hacd_pipe2(&fds, O_CLOEXEC | O_NONBLOCK) == 0 else {
            fatalError("pipe2 for the systemd bus thread failed: errno \(errno)")
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        OSThread.start(name: "systemd-bus") { [self] in runLoop() }
    }

    /// Ends the thread: pending jobs fail with `busDisconnected(ECANCELED)`, streams finish.
    func shutdown() {
        lock.lock()
        stopping = true
        lock.unlock()
        wake()
    }

    // MARK: API for other threads

    /// Runs `body` on the bus thread with a connected bus.
    func perform<T: Sendable>(_ body: @escaping @Sendable (SystemdBusLoop, OpaquePointer) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            enqueue { loop in
                do {
                    let connection = try loop.connected()
                    continuation.resume(returning: try body(loop, connection))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// Queues a StartUnit/StopUnit (mode `replace`) and returns the JobRemoved result.
    /// Cancelling the task stops the wait (throws `CancellationError`); the job itself goes on
    /// in systemd (a later StopUnit with mode `replace` cancels a pending start job).
    func runJob(_ kind: JobKind, unit: String, timeout: Duration) async throws -> String {
        let token = nextToken()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                enqueue { loop in loop.beginJob(kind, unit: unit, timeout: timeout, token: token, continuation: continuation) }
            }
        } onCancel: {
            enqueue { loop in loop.cancelJob(token: token) }
        }
    }

    private var lastToken = 0

    private func nextToken() -> Int {
        lock.lock()
        defer { lock.unlock() }
        lastToken += 1
        return lastToken
    }

    /// A stream of the unit's status, yielded whenever systemd signals PropertiesChanged on it
    /// and the (ActiveState, SubState) pair differs from the last one yielded. Starts with the
    /// current status. Ends when the connection drops or the caller stops iterating.
    func watch(unit: String) async throws -> AsyncStream<UnitStatus> {
        let (stream, continuation) = AsyncStream.makeStream(of: UnitStatus.self, bufferingPolicy: .bufferingNewest(16))
        let id: Int = try await perform { loop, connection in
            try loop.addWatch(unit: unit, connection: connection, continuation: continuation)
        }
        continuation.onTermination = { [weak self] _ in
            self?.enqueue { loop in loop.removeWatch(id) }
        }
        return stream
    }

    private func enqueue(_ request: @escaping (SystemdBusLoop) -> Void) {
        lock.lock()
        requests.append(request)
        lock.unlock()
        wake()
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    // MARK: The thread

    private func runLoop() {
        while true {
            lock.lock()
            let batch = requests
            requests = []
            let stop = stopping
            lock.unlock()
            for request in batch { request(self) }
            if stop {
                disconnect(failingWith: ECANCELED)
                close(wakeRead)
                close(wakeWrite)
                return
            }
            if let connection {
                while true {
                    let result = sd_bus_process(connection, nil)
                    if result < 0 {
                        disconnect(failingWith: -result)
                        break
                    }
                    if result == 0 { break }
                }
            }
            refreshWatches()
            expireJobs()
            waitForActivity()
        }
    }

    private func waitForActivity() {
        var fds = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
        var timeoutMillis: Int64 = 1000
        let now = Self.monotonicMicroseconds()
        if let connection {
            let events = sd_bus_get_events(connection)
            fds.append(pollfd(fd: sd_bus_get_fd(connection), events: Int16(max(events, 0)), revents: 0))
            var busTimeout: UInt64 = 0
            if sd_bus_get_timeout(connection, &busTimeout) >= 0, busTimeout != UInt64.max {
                timeoutMillis = min(timeoutMillis, Int64(busTimeout > now ? (busTimeout - now + 999) / 1000 : 0))
            }
        }
        for job in jobs.values {
            timeoutMillis = min(timeoutMillis, Int64(job.deadline > now ? (job.deadline - now + 999) / 1000 : 0))
        }
        let ready = poll(&fds, nfds_t(fds.count), Int32(timeoutMillis))
        if ready > 0, fds[0].revents != 0 {
            var buffer = [UInt8](repeating: 0, count: 64)
            while read(wakeRead, &buffer, buffer.count) > 0 {}
        }
    }

    // MARK: Connection

    /// The open connection, opening it (and subscribing to manager signals) if needed.
    private func connected() throws -> OpaquePointer {
        if let connection { return connection }
        var opened: OpaquePointer?
        var result: Int32
        switch bus {
        case .system:
            result = sd_bus_open_system(&opened)
        case .user:
            result = sd_bus_open_user(&opened)
        case let .address(address), let .direct(address):
            result = sd_bus_new(&opened)
            if result >= 0 { result = sd_bus_set_address(opened, address) }
            if result >= 0, case .address = bus { result = sd_bus_set_bus_client(opened, 1) }
            if result >= 0 { result = sd_bus_start(opened) }
        }
        guard result >= 0, let opened else {
            if let opened { sd_bus_unref(opened) }
            throw UnitError.busUnavailable(bus: bus.description, errno: -result)
        }
        var slot: OpaquePointer?
        result = sd_bus_match_signal(
            opened, &slot, signalSender, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
            "JobRemoved", jobRemovedHandler, Unmanaged.passUnretained(self).toOpaque()
        )
        guard result >= 0 else {
            sd_bus_flush_close_unref(opened)
            throw UnitError.busUnavailable(bus: bus.description, errno: -result)
        }
        do {
            // Without Subscribe the manager does not emit JobRemoved/PropertiesChanged to us.
            let reply = try call(opened, member: "Subscribe", arguments: [], unit: "-")
            sd_bus_message_unref(reply)
        } catch {
            sd_bus_slot_unref(slot)
            sd_bus_flush_close_unref(opened)
            throw error
        }
        connection = opened
        jobRemovedSlot = slot
        return opened
    }

    /// Signals through a broker are filtered by sender, so nobody else can fake a job result;
    /// a direct peer connection has no sender names.
    private var signalSender: String? {
        if case .direct = bus { return nil }
        return "org.freedesktop.systemd1"
    }

    private func disconnect(failingWith code: Int32) {
        let waiting = jobs
        jobs = [:]
        for job in waiting.values {
            job.continuation.resume(throwing: UnitError.busDisconnected(bus: bus.description, errno: code))
        }
        for watch in watches.values {
            sd_bus_slot_unref(watch.slot)
            watch.continuation.finish()
        }
        watches = [:]
        if let jobRemovedSlot { sd_bus_slot_unref(jobRemovedSlot) }
        jobRemovedSlot = nil
        if let connection { sd_bus_flush_close_unref(connection) }
        connection = nil
    }

    // MARK: Calls

    static let destination = "org.freedesktop.systemd1"
    static let managerPath = "/org/freedesktop/systemd1"
    static let managerInterface = "org.freedesktop.systemd1.Manager"

    /// Calls a manager method with string arguments; returns the reply (caller unrefs it).
    func call(_ connection: OpaquePointer, member: String, arguments: [String], unit: String) throws -> OpaquePointer {
        var message: OpaquePointer?
        var result = sd_bus_message_new_method_call(
            connection, &message, Self.destination, Self.managerPath, Self.managerInterface, member)
        guard result >= 0, let message else {
            throw UnitError.callFailed(unit: unit, method: member, errorName: "errno", message: String(cString: strerror(-result)))
        }
        defer { sd_bus_message_unref(message) }
        for argument in arguments {
            result = argument.withCString { sd_bus_message_append_basic(message, Self.typeString, $0) }
            guard result >= 0 else {
                throw UnitError.callFailed(unit: unit, method: member, errorName: "errno", message: String(cString: strerror(-result)))
            }
        }
        var error = sd_bus_error()
        defer { sd_bus_error_free(&error) }
        var reply: OpaquePointer?
        result = sd_bus_call(connection, message, 0, &error, &reply)
        guard result >= 0, let reply else {
            throw mapCallError(result: result, error: error, unit: unit, method: member)
        }
        return reply
    }

    private func mapCallError(result: Int32, error: sd_bus_error, unit: String, method: String) -> UnitError {
        let name = error.name.map { String(cString: $0) } ?? ""
        let message = error.message.map { String(cString: $0) } ?? String(cString: strerror(-result))
        if name == "org.freedesktop.systemd1.NoSuchUnit" {
            return .noSuchUnit(unit: unit, message: message)
        }
        let code = -result
        if code == ECONNRESET || code == ENOTCONN || code == EPIPE {
            // The connection is gone: fail what waits on it; the next request reconnects.
            disconnect(failingWith: code)
            return .busDisconnected(bus: bus.description, errno: code)
        }
        return .callFailed(unit: unit, method: method, errorName: name.isEmpty ? "errno \(code)" : name, message: message)
    }

    /// Reads one basic string-like value (`s` or `o`) from a message.
    static func readString(_ message: OpaquePointer, type: CChar) -> String? {
        var value: UnsafePointer<CChar>?
        guard sd_bus_message_read_basic(message, type, &value) > 0, let value else { return nil }
        return String(cString: value)
    }

    static let typeString = CChar(UInt8(ascii: "s"))
    static let typeObjectPath = CChar(UInt8(ascii: "o"))
    static let typeUInt32 = CChar(UInt8(ascii: "u"))

    /// The unit's object path, loading the unit if needed (`Manager.LoadUnit`).
    func unitPath(_ connection: OpaquePointer, unit: String) throws -> String {
        let reply = try call(connection, member: "LoadUnit", arguments: [unit], unit: unit)
        defer { sd_bus_message_unref(reply) }
        guard let path = Self.readString(reply, type: Self.typeObjectPath) else {
            throw UnitError.malformedReply(unit: unit, method: "LoadUnit", errno: EBADMSG)
        }
        return path
    }

    func status(_ connection: OpaquePointer, unit: String) throws -> UnitStatus {
        let path = try unitPath(connection, unit: unit)
        return UnitStatus(
            unit: unit,
            loadState: try property(connection, path: path, name: "LoadState", unit: unit),
            activeState: try property(connection, path: path, name: "ActiveState", unit: unit),
            subState: try property(connection, path: path, name: "SubState", unit: unit)
        )
    }

    /// The unit's own timeouts (`org.freedesktop.systemd1.Service`, absent for other unit
    /// types) and `UnitFileState`.
    func settings(_ connection: OpaquePointer, unit: String) throws -> UnitSettings {
        let path = try unitPath(connection, unit: unit)
        func microseconds(_ name: String) -> Duration? {
            var error = sd_bus_error()
            defer { sd_bus_error_free(&error) }
            var value: UInt64 = 0
            let result = sd_bus_get_property_trivial(
                connection, Self.destination, path, "org.freedesktop.systemd1.Service", name, &error, CChar(UInt8(ascii: "t")), &value)
            guard result >= 0, value != UInt64.max, value < UInt64(Int64.max) / 1000 else { return nil }
            return .microseconds(Int64(value))
        }
        let state = (try? property(connection, path: path, name: "UnitFileState", unit: unit)) ?? ""
        return UnitSettings(unit: unit, timeoutStart: microseconds("TimeoutStartUSec"), timeoutStop: microseconds("TimeoutStopUSec"), unitFileState: state)
    }

    private func property(_ connection: OpaquePointer, path: String, name: String, unit: String) throws -> String {
        var error = sd_bus_error()
        defer { sd_bus_error_free(&error) }
        var value: UnsafeMutablePointer<CChar>?
        let result = sd_bus_get_property_string(
            connection, Self.destination, path, "org.freedesktop.systemd1.Unit", name, &error, &value)
        guard result >= 0, let value else {
            throw mapCallError(result: result, error: error, unit: unit, method: "Get \(name)")
        }
        defer { free(value) }
        return String(cString: value)
    }

    // MARK: Jobs

    private func beginJob(_ kind: JobKind, unit: String, timeout: Duration, token: Int,
                          continuation: CheckedContinuation<String, any Error>) {
        if cancelledTokens.remove(token) != nil {
            continuation.resume(throwing: CancellationError())
            return
        }
        do {
            let connection = try connected()
            let reply = try call(connection, member: kind.rawValue, arguments: [unit, "replace"], unit: unit)
            defer { sd_bus_message_unref(reply) }
            guard let job = Self.readString(reply, type: Self.typeObjectPath) else {
                throw UnitError.malformedReply(unit: unit, method: kind.rawValue, errno: EBADMSG)
            }
            // A JobRemoved that arrived during sd_bus_call sits in the read queue and is
            // dispatched by the next sd_bus_process, after this registration.
            jobs[job] = JobWaiter(
                token: token, kind: kind, unit: unit, timeout: timeout,
                deadline: Self.monotonicMicroseconds() + Self.microseconds(timeout),
                continuation: continuation)
        } catch {
            continuation.resume(throwing: error)
        }
    }

    private func cancelJob(token: Int) {
        guard let (job, waiter) = jobs.first(where: { $0.value.token == token }) else {
            cancelledTokens.insert(token)
            return
        }
        jobs.removeValue(forKey: job)
        waiter.continuation.resume(throwing: CancellationError())
    }

    fileprivate func jobRemoved(_ message: OpaquePointer) {
        var id: UInt32 = 0
        guard sd_bus_message_read_basic(message, Self.typeUInt32, &id) > 0,
            let job = Self.readString(message, type: Self.typeObjectPath),
            Self.readString(message, type: Self.typeString) != nil,
            let result = Self.readString(message, type: Self.typeString),
            let waiter = jobs.removeValue(forKey: job)
        else { return }
        waiter.continuation.resume(returning: result)
    }

    private func expireJobs() {
        let now = Self.monotonicMicroseconds()
        for (job, waiter) in jobs where waiter.deadline <= now {
            jobs.removeValue(forKey: job)
            switch waiter.kind {
            case .start: waiter.continuation.resume(throwing: UnitError.startTimedOut(unit: waiter.unit, after: waiter.timeout))
            case .stop: waiter.continuation.resume(throwing: UnitError.stopTimedOut(unit: waiter.unit, after: waiter.timeout))
            }
        }
    }

    // MARK: Watches

    final class UnitWatch {
        let id: Int
        let unit: String
        var slot: OpaquePointer?
        var dirty = true
        var last: UnitStatus?
        let continuation: AsyncStream<UnitStatus>.Continuation

        init(id: Int, unit: String, continuation: AsyncStream<UnitStatus>.Continuation) {
            self.id = id
            self.unit = unit
            self.continuation = continuation
        }
    }

    private func addWatch(unit: String, connection: OpaquePointer, continuation: AsyncStream<UnitStatus>.Continuation) throws -> Int {
        let path = try unitPath(connection, unit: unit)
        nextWatchID += 1
        let watch = UnitWatch(id: nextWatchID, unit: unit, continuation: continuation)
        var slot: OpaquePointer?
        let result = sd_bus_match_signal(
            connection, &slot, signalSender, path, "org.freedesktop.DBus.Properties", "PropertiesChanged",
            propertiesChangedHandler, Unmanaged.passUnretained(watch).toOpaque())
        guard result >= 0 else {
            throw UnitError.callFailed(unit: unit, method: "AddMatch PropertiesChanged", errorName: "errno \(-result)",
                                       message: String(cString: strerror(-result)))
        }
        watch.slot = slot
        watches[watch.id] = watch
        return watch.id
    }

    private func removeWatch(_ id: Int) {
        guard let watch = watches.removeValue(forKey: id) else { return }
        sd_bus_slot_unref(watch.slot)
    }

    /// Re-reads the state of units whose properties changed; the signal only says "something changed".
    private func refreshWatches() {
        guard let connection else { return }
        for watch in watches.values where watch.dirty {
            watch.dirty = false
            guard let status = try? status(connection, unit: watch.unit) else { continue }
            if status.activeState != watch.last?.activeState || status.subState != watch.last?.subState {
                watch.last = status
                watch.continuation.yield(status)
            }
        }
    }

    // MARK: Time

    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
    }

    static func microseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(seconds, 0)) * 1_000_000 + UInt64(max(attoseconds, 0) / 1_000_000_000_000)
    }
}

private let jobRemovedHandler: sd_bus_message_handler_t = { message, userdata, _ in
    guard let message, let userdata else { return 0 }
    Unmanaged<SystemdBusLoop>.fromOpaque(userdata).takeUnretainedValue().jobRemoved(message)
    return 0
}

private let propertiesChangedHandler: sd_bus_message_handler_t = { _, userdata, _ in
    guard let userdata else { return 0 }
    Unmanaged<SystemdBusLoop.UnitWatch>.fromOpaque(userdata).takeUnretainedValue().dirty = true
    return 0
}
