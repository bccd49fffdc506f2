import ClusterCore
import CoreTestSupport
import Testing

/// The node info the peers exchange (release, configuration digest): its encoding, which a
/// later release may extend; the digest of the cluster-wide configuration; when it is sent;
/// and the warnings `hactl status` prints from it.
@Suite("Node info and configuration agreement")
struct NodeInfoTests {
    static func config(_ edits: [(String, String)] = []) throws -> ClusterConfig {
        try ConfigLoader.parse(toml: ConfigFixtures.base(replacing: edits), path: "/etc/hacluster/haclusterd.toml")
    }

    // MARK: digest

    @Test("the digest of an unchanged configuration is stable across releases")
    func digestIsStable() throws {
        let digest = ConfigDigest(try Self.config())
        #expect(digest.sections.keys.sorted() == ConfigDigest.sectionNames.sorted())
        // Committed: a change here means every node of the previous release warns about every
        // node of this one during a rolling upgrade. Change the canonical text only on purpose.
        #expect(digest.summary == "2908e830", "summary now \(digest.summary)")
        #expect(ConfigDigest(try Self.config()) == digest)
    }

    @Test("a changed cluster-wide key changes its section's digest only", arguments: [
        (("units = [\"dataiku.service\"]", "units = [\"dataiku.service\", \"nginx.service\"]"), "service"),
        (("failure_timeout = \"1s\"", "failure_timeout = \"2s\""), "cluster"),
        (("addresses = [\"198.18.1.13\"]", "addresses = [\"198.18.1.23\"]"), "node"),
        (("address = \"198.18.1.50/24\"", "address = \"198.18.1.51/24\""), "floating_ip"),
        (("delay = \"5s\"", "delay = \"6s\""), "fencing"),
        (("lock_file = \"/dataiku/.hacluster.lock\"", "lock_file = \"/dataiku/.lock\""), "storage"),
        (("wait_for_all = true", "wait_for_all = false"), "quorum"),
    ])
    func sectionDiffers(edit: (String, String), section: String) throws {
        let base = ConfigDigest(try Self.config())
        let changed = ConfigDigest(try Self.config([edit]))
        #expect(base.differingSections(from: changed) == [section])
        #expect(base.summary != changed.summary)
    }

    @Test("the health keys are read and digested; health_interval defaults to monitor_interval")
    func healthKeys() throws {
        let defaults = try Self.config()
        #expect(defaults.service.healthRise == 1 && defaults.service.healthFall == 3)
        #expect(defaults.service.healthTimeout == .seconds(2))
        #expect(defaults.service.effectiveHealthInterval == defaults.service.monitorInterval)
        let set = try Self.config([("migration_threshold = 3",
            "migration_threshold = 3\nhealth_rise = 2\nhealth_fall = 5\nhealth_timeout = \"500ms\"\nhealth_interval = \"3s\"")])
        #expect(set.service.healthRise == 2 && set.service.healthFall == 5)
        #expect(set.service.healthTimeout == .milliseconds(500) && set.service.effectiveHealthInterval == .seconds(3))
        #expect(ConfigDigest(defaults).differingSections(from: ConfigDigest(set)) == ["service"])
    }

    @Test("keys that may differ per node (file locations, systemd bus, interface) do not change the digest")
    func nodeLocalKeysIgnored() throws {
        let base = ConfigDigest(try Self.config())
        let local = ConfigDigest(try Self.config([
            ("state_dir = \"/var/lib/hacluster\"", "state_dir = \"/srv/hacluster\""),
            ("key_file = \"/etc/hacluster/authkey\"", "key_file = \"/etc/hacluster/other.key\""),
            ("systemd_bus = \"system\"", "systemd_bus = \"user\""),
            ("interface = \"eth0\"", "interface = \"ens3\""),
        ]))
        #expect(base == local)
    }

    // MARK: encoding

    @Test("node info survives its encoding; bytes a later release appends and unknown flags are ignored")
    func encoding() throws {
        let info = NodeInfo(software: "0.9.0", config: ConfigDigest(try Self.config()), replyWanted: true)
        let bytes = try info.encode()
        #expect(try NodeInfo.decode(bytes) == info)
        var extended = bytes
        extended[1] |= 0x80
        extended.append(contentsOf: [9, 9, 9])
        #expect(try NodeInfo.decode(extended) == info)
    }

    @Test("the service phase travels after the sections; the first release's info (without it) has none")
    func servicePhase() throws {
        let digest = ConfigDigest(try Self.config())
        let bare = try NodeInfo(software: "0.9.0", config: digest).encode()
        for phase in NodeInfo.ServicePhase.allCases {
            let info = NodeInfo(software: "0.9.0", config: digest, service: phase)
            let bytes = try info.encode()
            #expect(bytes == bare + [phase.rawValue], "one byte after the last section")
            #expect(try NodeInfo.decode(bytes) == info)
            #expect(try NodeInfo.decode(bytes + [7, 7]).service == phase, "later bytes are ignored")
        }
        #expect(try NodeInfo.decode(bare).service == nil, "the first release tells no phase")
        #expect(try NodeInfo.decode(bare + [200]).service == nil, "a phase this release does not know reads as none")
    }

    @Test("flag bit 1 tells that the node decodes member lists; an earlier release's info does not set it")
    func membersFlag() throws {
        let digest = ConfigDigest(try Self.config())
        let bytes = try NodeInfo(software: "0.9.0", config: digest).encode()
        #expect(bytes[1] & 2 == 2)
        #expect(try NodeInfo.decode(bytes).membersSupported)
        var earlier = bytes
        earlier[1] &= ~2
        #expect(try NodeInfo.decode(earlier).membersSupported == false)
        #expect(try NodeInfo.decode(try NodeInfo(software: "0.9.0", config: digest, membersSupported: false).encode()) == NodeInfo(software: "0.9.0", config: digest, membersSupported: false))
    }

    @Test("a truncated or impossible node info is malformed, naming the field")
    func malformed() throws {
        let bytes = try NodeInfo(software: "0.9.0", config: ConfigDigest(try Self.config())).encode()
        for cut in [0, 1, 2, 5, bytes.count - 1] {
            #expect(throws: WireError.self) { try NodeInfo.decode(Array(bytes.prefix(cut))) }
        }
        var zero = bytes
        zero[0] = 0
        #expect(throws: WireError.malformed(field: "node info format", reason: "format 0 does not exist")) { try NodeInfo.decode(zero) }
        var many = bytes
        many[2 + 1 + 5] = 200
        #expect(throws: WireError.malformed(field: "sections", reason: "200 sections, at most 32")) { try NodeInfo.decode(many) }
    }

    @Test("a relay message survives its encoding; an unknown kind or an oversized body is malformed")
    func relayEncoding() throws {
        let message = RelayMessage(id: 42, kind: .request, body: Array("{\"node\":\"dss2\"}".utf8))
        #expect(try RelayMessage.decode(try message.encode()) == message)
        var wrong = try message.encode()
        wrong[8] = 9
        #expect(throws: WireError.malformed(field: "relay kind", reason: "unknown relay kind 9")) { try RelayMessage.decode(wrong) }
        #expect(throws: WireError.self) { try RelayMessage(id: 1, kind: .answer, body: Array(repeating: 0, count: 2000)).encode() }
    }

    // MARK: schedule

    @Test("sent to every peer at start; every 10 s to peers that answered, every 60 s to those that never did")
    func schedule() throws {
        let info = NodeInfo(software: "0.9.0", config: ConfigDigest(try Self.config()))
        let start = Instant(nanoseconds: 1_000_000_000)
        var exchange = NodeInfoExchange(local: info, peers: ["dss2", "dss3"], now: start)
        let first = exchange.due(now: start)
        #expect(first.map(\.peer) == ["dss2", "dss3"])
        #expect(first.allSatisfy { $0.info.replyWanted })
        #expect(exchange.due(now: start + .seconds(1)).isEmpty)

        // dss2 answers; dss3 (an older release) is heard on the election but never answers.
        exchange.heard("dss3", incarnation: Incarnation(4), now: start + .seconds(1))
        #expect(exchange.due(now: start + .seconds(1)).map(\.peer) == ["dss3"], "told at once when first heard")
        exchange.received(NodeInfo(software: "0.9.0", config: info.config), from: "dss2", incarnation: Incarnation(7), now: start + .seconds(1))
        let reply = exchange.due(now: start + .seconds(1))
        #expect(reply.map(\.peer) == ["dss2"], "its first info is answered")
        #expect(reply.first?.info.replyWanted == false)
        #expect(exchange.info(of: "dss2")?.software == "0.9.0")

        var sent: [String: Int] = [:]
        var now = start + .seconds(1)
        while now < start + .seconds(121) {
            now = now + .seconds(1)
            for (peer, _) in exchange.due(now: now) { sent[peer, default: 0] += 1 }
        }
        #expect(sent["dss2"] == 12)
        #expect(sent["dss3"] == 2)

        // dss2 restarts (new incarnation): what it said is forgotten, and it is told at once.
        exchange.heard("dss2", incarnation: Incarnation(8), now: now)
        #expect(exchange.info(of: "dss2") == nil)
        #expect(exchange.due(now: now).map(\.peer) == ["dss2"])
    }

    @Test("a change of this node's service phase is due at once to the peers that answered, and only then")
    func servicePhaseChange() throws {
        let info = NodeInfo(software: "0.9.0", config: ConfigDigest(try Self.config()))
        let start = Instant(nanoseconds: 1_000_000_000)
        var exchange = NodeInfoExchange(local: info, peers: ["dss2", "dss3"], now: start)
        _ = exchange.due(now: start)
        exchange.received(NodeInfo(software: "0.9.0", config: info.config, service: .starting), from: "dss2", incarnation: Incarnation(7), now: start)
        #expect(exchange.info(of: "dss2")?.service == .starting, "what the peer told is kept")
        _ = exchange.due(now: start)

        let later = start + .seconds(2)
        let changed = exchange.update(service: .starting, now: later)
        #expect(changed)
        let sent = exchange.due(now: later)
        #expect(sent.map(\.peer) == ["dss2"], "dss3 never answered: it gets the phase with its next send")
        #expect(sent.first?.info.service == .starting)
        let again = exchange.update(service: .starting, now: later)
        #expect(!again, "no change, nothing due")
        #expect(exchange.due(now: later + .seconds(1)).isEmpty)
        let started = exchange.update(service: .started, now: later + .seconds(1))
        #expect(started)
        #expect(exchange.due(now: later + .seconds(1)).first?.info.service == .started)
    }

    // MARK: warnings

    @Test("status warns naming each node whose configuration differs, with the sections, and mixed releases")
    func warnings() throws {
        let mine = NodeInfo(software: "0.9.0", config: ConfigDigest(try Self.config()))
        let same = mine
        let edited = NodeInfo(software: "0.9.0", config: ConfigDigest(try Self.config([("delay = \"5s\"", "delay = \"6s\"")])))
        #expect(ConfigAgreement.warnings(local: ("dss1", mine), peers: ["dss2": same]).isEmpty)

        let warnings = ConfigAgreement.warnings(local: ("dss1", mine), peers: ["dss2": edited, "dss3": same])
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("on dss2 ([fencing])") == true, "\(warnings)")
        #expect(warnings.first?.contains("dss3") == false)
        #expect(warnings.first?.hasPrefix("configuration differs from this node's (dss1, digest \(mine.config.summary))") == true)

        let upgraded = NodeInfo(software: "1.0.0", config: mine.config)
        #expect(ConfigAgreement.warnings(local: ("dss1", mine), peers: ["dss2": upgraded, "dss3": same])
            == ["nodes run different releases (0.9.0 on dss1, dss3; 1.0.0 on dss2): finish the upgrade on every node"])
    }
}
