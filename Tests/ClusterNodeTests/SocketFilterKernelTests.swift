@testable import ClusterNode
import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import ClusterCore

/// The cluster port's kernel filter (`SocketFilterProgram` attached by `UDPLinks`) on real
/// sockets: what the kernel drops never reaches the links' queue.
@Suite(.serialized) struct SocketFilterKernelTests {
    static let key: [UInt8] = (0..<64).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
    static let tag = WireKeys(keyMaterial: key, clusterName: "dss_cluster").clusterTag

    /// dss1's session at `incarnation`, having heard dss2 at incarnation 1.
    static func session(incarnation: UInt64 = 5, cluster: String = "dss_cluster") -> WireSession {
        WireSession(
            keys: WireKeys(keyMaterial: key, clusterName: cluster), localNode: "dss1", peers: ["dss1", "dss2"],
            restoring: WireSessionSnapshot(incarnation: incarnation, nextSequence: 1, peers: [.init(node: "dss2", incarnation: 1, highest: 0, bitmap: 0)]))
    }

    /// Sends `bytes` from `host`:`sourcePort` (a bound socket, like a peer's) to 127.0.0.1:`port`.
    static func send(_ bytes: [UInt8], from host: String, sourcePort: UInt16, to port: UInt16) throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        func address(_ text: String, _ port: UInt16) -> sockaddr_in {
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_port = port.bigEndian
            inet_pton(AF_INET, text, &a.sin_addr)
            return a
        }
        var local = address(host, sourcePort), remote = address("127.0.0.1", port)
        let bound = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        #expect(bound == 0, "bind \(host):\(sourcePort): errno \(errno)")
        let sent = bytes.withUnsafeBytes { buffer in
            withUnsafePointer(to: &remote) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, buffer.baseAddress, buffer.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        #expect(sent == bytes.count)
    }

    static func sealed(incarnation: UInt64, count: Int) throws -> [[UInt8]] {
        var session = Self.session(incarnation: incarnation)
        return try (0..<count).map { _ in try session.seal([7, 7, 7], to: "dss2") }
    }

    /// Binds a link on 127.0.0.1:`port` with `program`, runs `send`, and returns how many
    /// datagrams reached the queue within 300 ms.
    static func received(port: UInt16, program: SocketFilterProgram, _ send: () throws -> Void) async throws -> Int {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let (links, failures) = try await UDPLinks.bind(addresses: ["127.0.0.1"], port: Int(port), group: group)
        #expect(failures.isEmpty)
        let refused = await links.setSocketFilters(v4: program, v6: nil)
        #expect(refused.isEmpty, "\(refused)")
        try send()
        let counter = Task {
            var count = 0
            for await _ in links.inbound { count += 1 }
            return count
        }
        try await Task.sleep(for: .milliseconds(300))
        await links.close()
        let count = await counter.value
        try await group.shutdownGracefully()
        return count
    }

    @Test func onlyPeerAddressesOnTheClusterPortWithTheClusterHeaderPass() async throws {
        let port = LoopbackCluster.freePort()
        let program = SocketFilterProgram(
            family: .v4, port: port, clusterTag: Self.tag, version: WireFormat.version,
            sources: [.init(address: [127, 0, 0, 2], knownIncarnation: nil), .init(address: [127, 0, 0, 3], knownIncarnation: nil)])
        let valid = try Self.sealed(incarnation: 5, count: 1)[0]
        var otherCluster = Self.session(cluster: "other_cluster")
        let foreign = try otherCluster.seal([1], to: "dss2")
        var oldVersion = valid
        oldVersion[4] = 1
        let count = try await Self.received(port: port, program: program) {
            try Self.send(valid, from: "127.0.0.2", sourcePort: port, to: port)         // passes
            try Self.send(valid, from: "127.0.0.3", sourcePort: port, to: port)         // passes
            try Self.send(valid, from: "127.0.0.4", sourcePort: port, to: port)         // not a peer
            try Self.send(valid, from: "127.0.0.2", sourcePort: port &+ 1, to: port)    // not the cluster port
            try Self.send(foreign, from: "127.0.0.2", sourcePort: port, to: port)       // another cluster's tag
            try Self.send(oldVersion, from: "127.0.0.2", sourcePort: port, to: port)    // wire version 1
            try Self.send(Array(valid.prefix(8)), from: "127.0.0.2", sourcePort: port, to: port)  // cut inside the cluster tag
        }
        #expect(count == 2, "only the two peer datagrams reach the queue")
    }

    @Test func inFloodModeOnlyTheKnownRunPassesAndOthersAreSampled() async throws {
        let port = LoopbackCluster.freePort()
        // Sampling 1 in 2^32 - 1: practically no unknown run passes.
        let strict = SocketFilterProgram(
            family: .v4, port: port, clusterTag: Self.tag, version: WireFormat.version,
            sources: [.init(address: [127, 0, 0, 2], knownIncarnation: Incarnation(0x0001_0002_0003_0004))],
            sampleUnknownRuns: .max)
        let known = try Self.sealed(incarnation: 0x0001_0002_0003_0004, count: 50)
        let nearlyKnown = try Self.sealed(incarnation: 0x0001_0002_0003_0005, count: 25) + Self.sealed(incarnation: 0x0002_0002_0003_0004, count: 25)
        let strictCount = try await Self.received(port: port, program: strict) {
            for datagram in known + nearlyKnown { try Self.send(datagram, from: "127.0.0.2", sourcePort: port, to: port) }
        }
        #expect(strictCount == 50, "the 50 datagrams of the known run pass, the 50 of other runs do not")

        // Sampling 1 in 1: every run passes again.
        let port2 = LoopbackCluster.freePort()
        let open = SocketFilterProgram(
            family: .v4, port: port2, clusterTag: Self.tag, version: WireFormat.version,
            sources: [.init(address: [127, 0, 0, 2], knownIncarnation: Incarnation(0x0001_0002_0003_0004))],
            sampleUnknownRuns: 1)
        let openCount = try await Self.received(port: port2, program: open) {
            for datagram in known + nearlyKnown { try Self.send(datagram, from: "127.0.0.2", sourcePort: port2, to: port2) }
        }
        #expect(openCount == 100)
    }
}
