import ClusterNode
import ClusterHost
import Foundation
import Testing
@testable import ClusterCore

/// FloatingAddress on real interfaces: a veth pair between two network namespaces, "node"
/// (where the address is added) and "peer" (a neighbour on the segment). Addresses in
/// 198.18.0.0/15 only; the namespaces (and with them the links) are deleted after each test.
@Suite(.serialized) final class FloatingAddressTests {
    let node: String
    let peer: String
    let nodeLink: String
    let peerLink: String
    let subnet = "198.18.201"
    let floating: FloatingAddress

    init() {
        let tag = "\(getpid() % 100_000)x\(UniqueTestNumber.shared.next())"
        node = "hacdfa\(tag)n"
        peer = "hacdfa\(tag)p"
        nodeLink = "hfa\(tag)n"   // <= 15 characters
        peerLink = "hfa\(tag)p"
        TestShell.must("""
            set -e
            ip netns add \(node); ip netns add \(peer)
            ip link add \(nodeLink) netns \(node) type veth peer name \(peerLink) netns \(peer)
            ip -n \(node) addr add \(subnet).1/24 dev \(nodeLink)
            ip -n \(peer) addr add \(subnet).2/24 dev \(peerLink)
            ip -n \(node) link set \(nodeLink) up; ip -n \(peer) link set \(peerLink) up
            ip -n \(node) link set lo up; ip -n \(peer) link set lo up
            """)
        floating = FloatingAddress(commandPrefix: ["ip", "netns", "exec", node])
    }

    deinit {
        TestShell.run("ip netns del \(node); ip netns del \(peer)")
    }

    func addresses(in namespace: String) -> String {
        TestShell.run("ip -n \(namespace) -o addr show").stdout
    }

    func neighbour(_ address: String) -> String {
        TestShell.run("ip -n \(peer) neigh show \(address)").stdout
    }

    var nodeMAC: String {
        TestShell.run("ip -n \(node) -o link show \(nodeLink)").stdout
            .split(separator: " ").drop { $0 != "link/ether" }.dropFirst().first.map(String.init) ?? "?"
    }

    var peerMAC: String {
        TestShell.run("ip -n \(peer) -o link show \(peerLink)").stdout
            .split(separator: " ").drop { $0 != "link/ether" }.dropFirst().first.map(String.init) ?? "?"
    }

    @Test func addsAnnouncesAndRemovesTheAddress() async throws {
        let vip = FloatingIPConfig(address: "\(subnet).50", prefixLength: 24, interface: nil, arpCount: 3)
        // The peer believes the address is at some other MAC (as after the old node held it).
        TestShell.must("ip -n \(peer) neigh replace \(vip.address) lladdr 02:00:00:00:00:01 dev \(peerLink) nud stale")
        #expect(neighbour(vip.address).contains("02:00:00:00:00:01"))

        let clock = ContinuousClock()
        let began = clock.now
        try await floating.add(vip)
        let took = clock.now - began
        let line = addresses(in: node).split(separator: "\n").first { $0.contains("inet \(vip.cidr) ") }
        #expect(line?.contains(nodeLink) == true)
        #expect(try await floating.holders(of: vip) == [nodeLink])

        // The gratuitous ARP moves the peer's neighbour entry to the node's MAC.
        let mac = nodeMAC
        var seenAfter: Duration?
        for _ in 0..<300 {
            if neighbour(vip.address).contains(mac) { seenAfter = clock.now - began; break }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(seenAfter != nil, "peer neighbour entry: \(neighbour(vip.address)), node MAC \(mac)")
        print("measured: add with duplicate check + first GARP \(millis(took)); peer updated \(seenAfter.map(millis) ?? "never") after add began")

        try await floating.add(vip)  // already held: succeeds
        try await floating.remove(vip)
        #expect(!addresses(in: node).contains(vip.address))
        try await floating.remove(vip)  // idempotent
    }

    @Test func withoutDuplicateCheckTheAddressIsUpAtOnce() async throws {
        let vip = FloatingIPConfig(address: "\(subnet).51", prefixLength: 24, interface: nodeLink, arpCount: 1, duplicateCheck: .zero)
        TestShell.must("ip -n \(peer) neigh replace \(vip.address) lladdr 02:00:00:00:00:01 dev \(peerLink) nud stale")
        let clock = ContinuousClock()
        let began = clock.now
        try await floating.add(vip)
        let took = clock.now - began
        #expect(addresses(in: node).contains("inet \(vip.cidr)"))
        let mac = nodeMAC
        var updated = false
        for _ in 0..<300 where !updated {
            updated = neighbour(vip.address).contains(mac)
            if !updated { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(updated)
        print("measured: add without duplicate check + first GARP \(millis(took)); peer updated \(millis(clock.now - began)) after add began")
        try await floating.remove(vip)
        #expect(!addresses(in: node).contains(vip.address))
    }

    /// Control for the two tests above: without announcements the peer keeps its stale
    /// entry, so what updated it there was the gratuitous ARP.
    @Test func withoutAnnouncementsThePeerKeepsItsStaleEntry() async throws {
        let vip = FloatingIPConfig(address: "\(subnet).52", prefixLength: 24, interface: nodeLink, arpCount: 0, duplicateCheck: .zero)
        TestShell.must("ip -n \(peer) neigh replace \(vip.address) lladdr 02:00:00:00:00:01 dev \(peerLink) nud stale")
        try await floating.add(vip)
        #expect(addresses(in: node).contains("inet \(vip.cidr)"))
        try await Task.sleep(for: .milliseconds(500))
        #expect(neighbour(vip.address).contains("02:00:00:00:00:01"))
        #expect(!neighbour(vip.address).contains(nodeMAC))
        try await floating.remove(vip)
    }

    @Test func anAddressHeldElsewhereOnTheSegmentIsReportedAndNotAdded() async throws {
        let vip = FloatingIPConfig(address: "\(subnet).60", prefixLength: 24)
        TestShell.must("ip -n \(peer) addr add \(vip.cidr) dev \(peerLink)")
        let mac = peerMAC
        do {
            try await floating.add(vip)
            Issue.record("added an address the peer holds")
        } catch let error as AddressError {
            guard case let .alreadyInUse(address, interface, holder) = error else { Issue.record("unexpected \(error)"); return }
            #expect(address == vip.address)
            #expect(interface == nodeLink)
            #expect(holder.lowercased() == mac.lowercased())
        }
        #expect(!addresses(in: node).contains(vip.address))

        // Once the peer lets go, the same call succeeds.
        TestShell.must("ip -n \(peer) addr del \(vip.cidr) dev \(peerLink)")
        try await floating.add(vip)
        #expect(addresses(in: node).contains(vip.address))
        try await floating.remove(vip)
    }

    /// `duplicate_check = "0s"` sends no probe: the same conflict goes unnoticed, so it is the
    /// probe (200 ms by default) that catches it above.
    @Test func aZeroDuplicateCheckSendsNoProbe() async throws {
        let unchecked = FloatingIPConfig(address: "\(subnet).61", prefixLength: 24, duplicateCheck: .zero)
        TestShell.must("ip -n \(peer) addr add \(unchecked.cidr) dev \(peerLink)")
        try await floating.add(unchecked)
        #expect(addresses(in: node).contains(unchecked.address))
        try await floating.remove(unchecked)
    }

    @Test func noInterfaceOnTheSubnetIsAClearError() async {
        let vip = FloatingIPConfig(address: "198.19.99.50", prefixLength: 24)
        await #expect(throws: AddressError.noInterfaceOnSubnet(address: "198.19.99.50/24")) {
            try await self.floating.add(vip)
        }
    }

    @Test func aMissingInterfaceReportsIpsError() async throws {
        let vip = FloatingIPConfig(address: "\(subnet).70", prefixLength: 24, interface: "nosuchif0", duplicateCheck: .zero)
        do {
            try await floating.add(vip)
            Issue.record("added an address on a missing interface")
        } catch let error as AddressError {
            guard case let .commandFailed(command, _, detail) = error else { Issue.record("unexpected \(error)"); return }
            #expect(command.contains("ip addr add \(vip.cidr) dev nosuchif0"))
            #expect(detail.contains("nosuchif0") || detail.contains("Cannot find device"))
        }
    }
}
