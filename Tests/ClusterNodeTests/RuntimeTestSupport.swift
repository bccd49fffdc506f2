@testable import ClusterHost
@testable import ClusterNode
import CoreTestSupport
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import ClusterCore
#if canImport(Glibc)
import Glibc
#endif

/// Effects that record what the runtime asked for and report success at once.
final class RecordingEffects: RuntimeEffects {
    struct Log: Sendable {
        var takeovers: [Term] = []
        var releases: [ReleaseReason] = []
        var restarts: [Term] = []
        var fences: [String] = []
        var events: [EventRecord] = []
    }

    let log = Mutex(Log())

    func takeOver(term: Term, fenceFirst: [String], context: TakeoverContext, report: @escaping @Sendable (ResourceReport) async -> Void) async {
        log.withLock { $0.takeovers.append(term) }
        for node in fenceFirst {
            await report(.fenced(node: node))
        }
        await report(.takeoverSucceeded(term: term))
    }

    func fence(node: String, delay: Duration) async -> FenceOutcome {
        log.withLock { $0.fences.append(node) }
        return FenceOutcome(node: node, succeeded: true, detail: "test double", durationMilliseconds: 0)
    }

    func release(reason: ReleaseReason) async {
        log.withLock { $0.releases.append(reason) }
    }

    func restartInPlace(term: Term, report: @escaping @Sendable (ResourceReport) async -> Void) async {
        log.withLock { $0.restarts.append(term) }
        await report(.takeoverSucceeded(term: term))
    }

    func record(_ event: EventRecord) {
        log.withLock { $0.events.append(event) }
    }

    var takeovers: [Term] { log.withLock { $0.takeovers } }
}

/// A small cluster of runtimes on loopback addresses 127.0.0.x, one port.
struct LoopbackCluster {
    static let key: [UInt8] = (0..<64).map { UInt8(($0 * 97 + 13) % 256) }

    let config: ClusterConfig
    let names: [String]
    let directories: [String]

    /// `hostBase`: the x in 127.0.0.x of the first node (distinct per test so tests never cross).
    static func make(nodes: Int, hostBase: Int, port: UInt16) throws -> LoopbackCluster {
        let names = (1...nodes).map { "node\($0)" }
        let config = ClusterConfig(
            cluster: ClusterSettings(
                name: "loopback_\(hostBase)",
                stateDir: "/unused",
                port: port,
                heartbeatInterval: .milliseconds(50),
                failureTimeout: .milliseconds(400)
            ),
            quorum: QuorumSettings(twoNode: false, waitForAll: false),
            nodes: names.enumerated().map { index, name in
                NodeConfig(name: name, addresses: ["127.0.0.\(hostBase + index)"])
            },
            service: ServiceConfig(name: "svc", units: ["svc.service"]),
            storage: StorageConfig(path: "/tmp"),
            fencing: FencingConfig(enabled: false)
        )
        let directories = try names.map { _ in try PersistenceStateFileTests.makeDirectory() }
        return LoopbackCluster(config: config, names: names, directories: directories)
    }

    func runtime(_ index: Int, effects: RecordingEffects, store: (any StateStore)? = nil, config edited: ClusterConfig? = nil) throws -> ClusterRuntime {
        try ClusterRuntime(
            config: edited ?? config,
            localNode: names[index],
            key: ClusterKey(bytes: Self.key),
            store: store ?? FileStateStore(directory: directories[index]),
            effects: effects,
            incarnation: Incarnation(UInt64(index + 1) * 1000),
            seed: UInt64(index + 42)
        )
    }

    func removeDirectories() {
        for directory in directories { PersistenceStateFileTests.remove(directory) }
    }

    /// A free UDP port on 127.0.0.1 right now (bound and released).
    static func freePort() -> UInt16 {
        UInt16.random(in: 20000...59000)
    }
}

/// Sends raw bytes from an unconnected UDP socket (no wire layer): the attacker's view. With
/// `source`, from that address and port (a peer's, as a spoofing attacker would).
func sendRawUDP(_ bytes: [UInt8], to host: String, port: UInt16, from source: (host: String, port: UInt16)? = nil) throws {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    guard fd >= 0 else { throw StateStoreError.io(path: host, operation: "socket", errno: errno) }
    defer { close(fd) }
    if let source {
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_port = source.port.bigEndian
        inet_pton(AF_INET, source.host, &local.sin_addr)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw StateStoreError.io(path: source.host, operation: "bind", errno: errno) }
    }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    inet_pton(AF_INET, host, &address.sin_addr)
    let sent = bytes.withUnsafeBytes { buffer in
        withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, buffer.baseAddress, buffer.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }
    guard sent == bytes.count else { throw StateStoreError.io(path: host, operation: "sendto", errno: errno) }
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes.
func eventually(timeout: Duration, _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}

/// Holds a UDP port on an address (so the runtime cannot bind it) until closed.
final class PortSquatter {
    let fd: Int32

    init(host: String, port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(fd)
            throw StateStoreError.io(path: "\(host):\(port)", operation: "bind", errno: errno)
        }
    }

    func release() {
        close(fd)
    }
}
