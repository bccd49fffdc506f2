import Testing

@testable import ClusterCore

/// `LinkMonitor`: when a (peer, link) is up, and one event per change.
@Suite("Link monitor")
struct LinkMonitorTests {
    private static let timeout: Duration = .seconds(1)

    private func monitor() -> LinkMonitor {
        LinkMonitor(peers: ["dss2", "dss3"], localAddresses: ["198.18.1.11", "198.18.2.11"], failureTimeout: Self.timeout)
    }

    private func at(_ milliseconds: UInt64) -> Instant { Instant(nanoseconds: 1_000_000_000_000 + milliseconds * 1_000_000) }

    /// Hears every peer on every link every 100 ms from `from` to `to` (inclusive), except `silent`, checking each time.
    private func run(
        _ monitor: inout LinkMonitor, from: UInt64, to: UInt64, silent: Set<LinkMonitor.Key> = []
    ) -> [(UInt64, LinkMonitor.Transition)] {
        var changes: [(UInt64, LinkMonitor.Transition)] = []
        for time in stride(from: from, through: to, by: 100) {
            for peer in monitor.peers {
                for link in monitor.localAddresses.indices where !silent.contains(.init(peer: peer, link: link)) {
                    monitor.heard(peer, link: link, now: at(time))
                }
            }
            changes += monitor.check(now: at(time)).map { (time, $0) }
        }
        return changes
    }

    @Test("links coming up for the first time are no event")
    func firstContact() {
        var monitor = monitor()
        #expect(monitor.check(now: at(0)).isEmpty)
        #expect(run(&monitor, from: 0, to: 3000).isEmpty)
        #expect(monitor.isUp("dss2", link: 1, now: at(3000)))
    }

    @Test("one link goes silent: one link.down after the failure timeout, one link.up when heard again")
    func oneLinkDownAndUp() {
        var monitor = monitor()
        _ = run(&monitor, from: 0, to: 1000)
        let cut: Set<LinkMonitor.Key> = [.init(peer: "dss2", link: 1)]
        let down = run(&monitor, from: 1100, to: 5000, silent: cut)
        #expect(down.count == 1, "once per change, not per tick: \(down)")
        #expect(down.first?.0 == 2100, "1 s after the last datagram (1000), at the first check past it")
        #expect(down.first?.1 == .init(
            kind: .linkDown, severity: .warning,
            message: "link 1 (198.18.2.11) to dss2 is down: nothing heard for 1.1s; dss2 still reachable on link 0"))
        #expect(!monitor.isUp("dss2", link: 1, now: at(5000)))
        let up = run(&monitor, from: 5100, to: 8000)
        #expect(up.count == 1)
        #expect(up.first?.0 == 5100)
        #expect(up.first?.1 == .init(
            kind: .linkUp, severity: .notice, message: "link 1 (198.18.2.11) to dss2 is up again (down for 3s)"))
    }

    @Test("a peer silent on every link: each link down, the last one says unreachable on every link")
    func peerGone() {
        var monitor = monitor()
        _ = run(&monitor, from: 0, to: 1000)
        let gone: Set<LinkMonitor.Key> = [.init(peer: "dss3", link: 0), .init(peer: "dss3", link: 1)]
        let down = run(&monitor, from: 1100, to: 4000, silent: gone)
        #expect(down.map(\.1.kind) == [.linkDown, .linkDown])
        #expect(down.allSatisfy { $0.1.message.hasSuffix("; dss3 unreachable on every link") })
        #expect(down.first?.1.message.hasPrefix("link 0 (198.18.1.11) to dss3 is down: nothing heard for 1.1s") == true)
        // Back on one link only: that link is up, the other stays down without a new event.
        let back = run(&monitor, from: 4100, to: 6000, silent: [.init(peer: "dss3", link: 1)])
        #expect(back.map(\.1.message) == ["link 0 (198.18.1.11) to dss3 is up again (down for 2s)"])
    }

    @Test("a link never heard is reported once its peer has been reachable on another link past the timeout")
    func neverHeard() {
        var monitor = monitor()
        let dead: Set<LinkMonitor.Key> = [.init(peer: "dss2", link: 1)]
        let changes = run(&monitor, from: 0, to: 4000, silent: dead)
        #expect(changes.count == 1)
        #expect(changes.first?.0 == 1100)
        #expect(changes.first?.1.message
            == "link 1 (198.18.2.11) to dss2 is down: nothing heard on it since this node started; dss2 still reachable on link 0")
    }

    @Test("a peer never heard on any link (not started yet) is no event")
    func peerNeverHeard() {
        var monitor = monitor()
        let absent: Set<LinkMonitor.Key> = [.init(peer: "dss3", link: 0), .init(peer: "dss3", link: 1)]
        #expect(run(&monitor, from: 0, to: 5000, silent: absent).isEmpty)
        #expect(!monitor.isUp("dss3", link: 0, now: at(5000)))
    }

    @Test("heardLinks: the (peer, link) pairs heard within the failure timeout, with the local address and the age")
    func heardLinks() {
        var monitor = monitor()
        monitor.heard("dss2", link: 1, now: at(0))
        monitor.heard("dss3", link: 0, now: at(500))
        #expect(monitor.heardLinks(now: at(700)) == [
            HeardLink(peer: "dss2", link: 1, localAddress: "198.18.2.11", ago: .milliseconds(700)),
            HeardLink(peer: "dss3", link: 0, localAddress: "198.18.1.11", ago: .milliseconds(200)),
        ])
        #expect(monitor.heardLinks(now: at(1200)).map(\.peer) == ["dss3"])
        #expect(monitor.heardLinks(now: at(1600)).isEmpty)
    }
}
