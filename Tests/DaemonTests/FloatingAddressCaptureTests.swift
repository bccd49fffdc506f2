import ClusterNode
import ClusterHost
import Foundation
import Testing
@testable import ClusterCore

/// The announcements of a floating address as they leave the node, counted on the wire: a
/// veth pair between two fresh network namespaces, "node" (where `FloatingAddress` adds the
/// address) and "peer", where `tcpdump` captures. IPv4 in 198.18.0.0/15, IPv6 in the ULA
/// fd00:198:18::/48; the namespaces (and with them the links) are deleted after each test.
@Suite(.serialized) final class FloatingAddressCaptureTests {
    let node: String
    let peer: String
    let nodeLink: String
    let peerLink: String
    let subnet4 = "198.18.202"
    let subnet6 = "fd00:198:18:202"
    let floating: FloatingAddress
    let failures = FailureLog()

    init() {
        let tag = "\(getpid() % 100_000)x\(UniqueTestNumber.shared.next())"
        node = "hacdfc\(tag)n"
        peer = "hacdfc\(tag)p"
        nodeLink = "hfc\(tag)n"   // <= 15 characters
        peerLink = "hfc\(tag)p"
        TestShell.must("""
            set -e
            ip netns add \(node); ip netns add \(peer)
            ip link add \(nodeLink) netns \(node) type veth peer name \(peerLink) netns \(peer)
            ip -n \(node) addr add \(subnet4).1/24 dev \(nodeLink)
            ip -n \(peer) addr add \(subnet4).2/24 dev \(peerLink)
            ip -n \(node) -6 addr add \(subnet6)::1/64 dev \(nodeLink) nodad
            ip -n \(peer) -6 addr add \(subnet6)::2/64 dev \(peerLink) nodad
            ip -n \(node) link set \(nodeLink) up; ip -n \(peer) link set \(peerLink) up
            ip -n \(node) link set lo up; ip -n \(peer) link set lo up
            """)
        let log = failures
        floating = FloatingAddress(commandPrefix: ["ip", "netns", "exec", node], onAnnouncementFailure: { log.append("\($0)") })
    }

    deinit {
        TestShell.run("ip netns del \(node); ip netns del \(peer)")
    }

    var nodeMAC: String {
        TestShell.run("ip -n \(node) -o link show \(nodeLink)").stdout
            .split(separator: " ").drop { $0 != "link/ether" }.dropFirst().first.map(String.init) ?? "?"
    }

    func neighbour(_ address: String) -> String {
        TestShell.run("ip -n \(peer) neigh show \(address)").stdout
    }

    /// IPv6: `arp_count` unsolicited neighbour advertisements (ICMPv6 136, Override set,
    /// Solicited clear, target = the address, the node's MAC as target link-layer address),
    /// about one second apart; nothing else announces it (the kernel's `ndisc_notify` is off,
    /// so the count is exact). The peer's stale neighbour entry moves to the node's MAC.
    @Test func ipv6SendsArpCountUnsolicitedNeighbourAdvertisements() async throws {
        let vip = FloatingIPConfig(address: "\(subnet6)::50", prefixLength: 64, arpCount: 3)
        TestShell.must("ip -n \(peer) -6 neigh replace \(vip.address) lladdr 02:00:00:00:00:01 dev \(peerLink) nud stale")
        let capture = try await PacketCapture.start(
            namespace: peer, link: peerLink, filter: "icmp6 and ip6[40] == 136", seconds: 6, tag: peer)
        try await floating.add(vip)
        #expect(TestShell.run("ip -n \(node) -6 -o addr show dev \(nodeLink)").stdout.contains(vip.cidr))
        let lines = try await capture.finish()
        let mac = nodeMAC.lowercased()
        let advertisements = lines.filter {
            $0.contains("neighbor advertisement") && $0.contains("tgt is \(vip.address),")
                && $0.contains("override") && !$0.contains("solicited")
        }
        print("measured: \(advertisements.count) unsolicited NAs for \(vip.address) captured on the peer (arp_count \(vip.arpCount)):")
        for line in advertisements { print("  \(line)") }
        #expect(advertisements.count == vip.arpCount, "captured:\n\(lines.joined(separator: "\n"))")
        #expect(advertisements.allSatisfy { $0.lowercased().contains("link-address option (2), length 8 (1): \(mac)") },
                "target link-layer address \(mac)")
        let times = advertisements.compactMap { $0.split(separator: " ").first.flatMap { Double($0) } }
        if let first = times.first, let last = times.last, times.count == vip.arpCount {
            #expect(last - first >= Double(vip.arpCount - 1) * 0.9, "spread over \(last - first) s")
        }
        #expect(neighbour(vip.address).lowercased().contains(mac), "peer entry: \(neighbour(vip.address))")
        #expect(failures.entries.isEmpty, "\(failures.entries)")
        try await floating.remove(vip)
    }

    /// `remove` ends the advertisements still to come: a node never announces an address it gave up.
    @Test func removingAnIPv6AddressEndsItsAdvertisements() async throws {
        let vip = FloatingIPConfig(address: "\(subnet6)::51", prefixLength: 64, arpCount: 5)
        let capture = try await PacketCapture.start(
            namespace: peer, link: peerLink, filter: "icmp6 and ip6[40] == 136", seconds: 4, tag: peer)
        try await floating.add(vip)
        try await floating.remove(vip)
        let lines = try await capture.finish()
        let advertisements = lines.filter { $0.contains("neighbor advertisement") && $0.contains("tgt is \(vip.address),") }
        print("measured: \(advertisements.count) NA for \(vip.address) when removed right after add (arp_count \(vip.arpCount))")
        #expect(advertisements.count == 1, "captured:\n\(lines.joined(separator: "\n"))")
    }

    /// IPv4: `arp_count` gratuitous ARPs (requests with sender = target = the address).
    @Test func ipv4SendsArpCountGratuitousARPs() async throws {
        let vip = FloatingIPConfig(address: "\(subnet4).50", prefixLength: 24, arpCount: 3, duplicateCheck: .zero)
        let capture = try await PacketCapture.start(namespace: peer, link: peerLink, filter: "arp", seconds: 5, tag: peer)
        try await floating.add(vip)
        let lines = try await capture.finish()
        let gratuitous = lines.filter { $0.contains("who-has \(vip.address) ") && $0.contains("tell \(vip.address),") }
        print("measured: \(gratuitous.count) gratuitous ARPs for \(vip.address) captured on the peer (arp_count \(vip.arpCount))")
        #expect(gratuitous.count == vip.arpCount, "captured:\n\(lines.joined(separator: "\n"))")
        #expect(failures.entries.isEmpty, "\(failures.entries)")
        try await floating.remove(vip)
    }
}

/// Late announcement failures reported by `FloatingAddress`.
final class FailureLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func append(_ entry: String) { lock.withLock { list.append(entry) } }
    var entries: [String] { lock.withLock { list } }
}

/// `tcpdump` in a namespace for a fixed number of seconds (ended by `timeout -s INT`, so it
/// flushes; started through `ChildProcess`, which clears the test process's blocked signals),
/// one line per packet with epoch timestamps.
final class PacketCapture: @unchecked Sendable {
    private let errors: String
    private let lock = NSLock()
    private var result: ChildProcess.Result?

    private init(errors: String) { self.errors = errors }

    static func start(namespace: String, link: String, filter: String, seconds: Int, tag: String) async throws -> PacketCapture {
        let errors = NSTemporaryDirectory() + "capture-\(tag)-\(UniqueTestNumber.shared.next()).err"
        FileManager.default.createFile(atPath: errors, contents: nil)
        let capture = PacketCapture(errors: errors)
        let command = ["sh", "-c", "exec timeout -s INT \(seconds) ip netns exec \(namespace) "
                       + "tcpdump -l -n -e -vv -tt -i \(link) '\(filter)' 2>\(errors)"]
        _ = try await ChildProcess.start(command, grace: .zero, timeout: .seconds(seconds + 5)) { result in
            capture.lock.withLock { capture.result = result }
        }
        // Ready once tcpdump says it listens (bounded).
        for _ in 0..<100 {
            if capture.stderr.contains("listening on") { return capture }
            if capture.lock.withLock({ capture.result }) != nil { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("tcpdump did not start: \(capture.stderr)")
        return capture
    }

    private var stderr: String { (try? String(contentsOfFile: errors, encoding: .utf8)) ?? "" }

    /// Waits for the capture's end (bounded) and returns the packets' lines.
    func finish() async throws -> [String] {
        defer { try? FileManager.default.removeItem(atPath: errors) }
        for _ in 0..<400 {
            if let result = lock.withLock({ result }) { return Self.packets(result.stdout) }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the capture did not end")
        return []
    }

    /// With -vv a packet may take several lines; continuation lines start with white space.
    static func packets(_ text: String) -> [String] {
        var packets: [String] = []
        for line in text.split(separator: "\n") {
            if line.first?.isWhitespace == true, !packets.isEmpty {
                packets[packets.count - 1] += " " + line.trimmingCharacters(in: .whitespaces)
            } else {
                packets.append(String(line))
            }
        }
        return packets
    }
}
