import Synchronization
@testable import ClusterHost
@testable import ClusterNode
import CoreTestSupport
import Foundation
@testable import ClusterCore

/// Records every operation of the fakes below, in order, and fails the ones it is told to.
final class TakeoverScript: @unchecked Sendable {
    struct Injected: Error, Equatable, CustomStringConvertible {
        var operation: String
        var description: String { "injected failure of '\(operation)'" }
    }

    private let lock = NSLock()
    private var entries: [String] = []
    private var failing: [String: any Error] = [:]
    private var recorded: [EventRecord] = []

    var log: [String] { lock.withLock { entries } }
    var events: [EventRecord] { lock.withLock { recorded } }
    var eventKinds: [String] { events.map(\.kind.rawValue) }

    func fail(_ operation: String, with error: (any Error)? = nil) {
        lock.withLock { failing[operation] = error ?? Injected(operation: operation) }
    }

    func heal(_ operation: String) {
        lock.withLock { _ = failing.removeValue(forKey: operation) }
    }

    func perform(_ operation: String) throws {
        let error: (any Error)? = lock.withLock {
            entries.append(operation)
            return failing[operation]
        }
        if let error { throw error }
    }

    func note(_ operation: String) {
        lock.withLock { entries.append(operation) }
    }

    func clear() {
        lock.withLock { entries = []; recorded = [] }
    }

    func record(_ event: EventRecord) {
        lock.withLock { recorded.append(event) }
    }
}

struct FakeUnits: UnitControlling {
    let script: TakeoverScript
    let changes: AsyncStream<UnitStatus>?
    let statuses: @Sendable (String) -> UnitStatus

    init(script: TakeoverScript, changes: AsyncStream<UnitStatus>? = nil,
         statuses: @escaping @Sendable (String) -> UnitStatus = { UnitStatus(unit: $0, loadState: "loaded", activeState: "active", subState: "running") }) {
        self.script = script
        self.changes = changes
        self.statuses = statuses
    }

    func start(_ unit: String, timeout: Duration) async throws { try script.perform("start \(unit)") }
    func stop(_ unit: String, timeout: Duration) async throws { try script.perform("stop \(unit)") }
    func status(of unit: String) async throws -> UnitStatus { statuses(unit) }
    func stateChanges(of unit: String) async throws -> AsyncStream<UnitStatus> {
        changes ?? AsyncStream { $0.finish() }
    }
    func resetFailed(_ unit: String) async throws { script.note("reset \(unit)") }
}

struct FakeLock: StorageLocking {
    let script: TakeoverScript
    func acquire() async throws { try script.perform("lock") }
    func release() async { script.note("unlock") }
}

/// Addresses on a pretend interface `eth0`: `add` puts one there, `remove` takes it away,
/// `vanish` takes it away behind the sequence's back (someone running `ip addr del`).
final class FakeAddresses: AddressControlling {
    let script: TakeoverScript
    let addDelay: Duration
    let held = Mutex<Set<String>>([])
    /// The duplicate-address probe each `add` was asked for, in order (`address duplicate_check`).
    let probes = Mutex<[String]>([])

    init(script: TakeoverScript, addDelay: Duration = .zero) {
        self.script = script
        self.addDelay = addDelay
    }

    func add(_ address: FloatingIPConfig) async throws {
        probes.withLock { $0.append("\(address.address) \(address.duplicateCheck)") }
        try script.perform("add \(address.cidr)")
        // Like a real `ip addr add`, not cut short by cancellation.
        if addDelay > .zero { let delay = addDelay; await Task.detached { try? await Task.sleep(for: delay) }.value }
        _ = held.withLock { $0.insert(address.cidr) }
    }

    func remove(_ address: FloatingIPConfig) async throws {
        try script.perform("remove \(address.cidr)")
        _ = held.withLock { $0.remove(address.cidr) }
    }

    func holders(of address: FloatingIPConfig) async throws -> [String] {
        held.withLock { $0.contains(address.cidr) } ? ["eth0"] : []
    }

    func vanish(_ cidr: String) { _ = held.withLock { $0.remove(cidr) } }
    func isHeld(_ cidr: String) -> Bool { held.withLock { $0.contains(cidr) } }
}

struct FakeFencer: Fencer {
    let script: TakeoverScript
    let succeeds: Bool
    func fence(node: String, reason: String) async -> FenceOutcome {
        script.note("fence \(node)")
        return FenceOutcome(node: node, succeeded: succeeds, level: succeeds ? 1 : nil, devices: ["fake"],
                            detail: succeeds ? "fake: off" : "fake: agent failed", durationMilliseconds: 1)
    }
}

struct RecordingSelfFence: SelfFencing {
    let script: TakeoverScript
    func fenceSelf(reason: String) async { script.note("SELF-FENCE: \(reason)") }
}

/// Answers health checks from a script: the next result each time, the last one forever.
final class FakeHealth: HealthChecking, @unchecked Sendable {
    private let lock = NSLock()
    private var results: [HealthFailure?]
    private(set) var checks = 0

    init(_ results: [HealthFailure?]) { self.results = results }

    func set(_ results: [HealthFailure?]) { lock.withLock { self.results = results } }

    func check() async -> HealthFailure? {
        lock.withLock {
            checks += 1
            return results.count > 1 ? results.removeFirst() : results.first ?? nil
        }
    }
}

/// A health check that does not answer until `open()` is called, then is healthy.
final class GatedHealth: HealthChecking, @unchecked Sendable {
    private let lock = NSLock()
    private var isOpen = false

    func open() { lock.withLock { isOpen = true } }

    func check() async -> HealthFailure? {
        // Like a real probe, it gives up eventually: here when the task is cancelled.
        while !lock.withLock({ isOpen }) {
            if Task.isCancelled { return .timedOut(url: "gated", after: .zero) }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return nil
    }
}

/// Fences every node except those in `failing`.
struct SelectiveFencer: Fencer {
    let script: TakeoverScript
    let failing: Set<String>
    func fence(node: String, reason: String) async -> FenceOutcome {
        script.note("fence \(node)")
        let ok = !failing.contains(node)
        return FenceOutcome(node: node, succeeded: ok, level: ok ? 1 : nil, devices: ["fake"],
                            detail: ok ? "fake: off" : "fake: agent failed", durationMilliseconds: 1)
    }
}
