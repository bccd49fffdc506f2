import ClusterHost
import ClusterCore
import Foundation
import Testing
@testable import Fencing

/// Levels, retries, confirmation and events, with scripted agents.
@Suite(.timeLimit(.minutes(2)))
struct FenceCoordinatorTests {
    let agents: ScriptedAgents
    init() throws { agents = try ScriptedAgents("coordinator") }

    /// Records the delays the coordinator asks for instead of sleeping.
    final class Sleeps: @unchecked Sendable {
        private let lock = NSLock()
        private var storage: [Duration] = []
        var all: [Duration] { lock.withLock { storage } }
        var sleep: @Sendable (Duration) async -> Void { { [self] d in lock.withLock { storage.append(d) } } }
    }

    @Test func failingLevel1FallsThroughToLevel2() async throws {
        defer { agents.remove() }
        try agents.add("fence_broken", body: "echo 'Failed: Unable to connect' >&2; exit 1")
        try agents.add("fence_good", body: ScriptedAgents.powerSwitch)
        let fencing = FencingConfig(agentDir: agents.agentDir, action: .off, timeout: .seconds(20), devices: [
            FenceDeviceConfig(name: "pdu", agent: "fence_good", nodes: ["n2"], level: 2),
            FenceDeviceConfig(name: "bmc", agent: "fence_broken", nodes: ["n2"], level: 1),
        ])
        let log = EventLog()
        let sleeps = Sleeps()
        let coordinator = FenceCoordinator(config: .fencingTest(fencing), localNode: "n1", events: log.sink,
                                           sleep: sleeps.sleep)
        let outcome = await coordinator.fence(node: "n2", reason: "peer lost", trigger: .manual)
        #expect(outcome.succeeded)
        #expect(outcome.level == 2 && outcome.devices == ["pdu"])
        // Level 1: two attempts, a 1 s pause between them (Pacemaker's retry rule).
        #expect(agents.calls("fence_broken") == ["metadata", "off", "off"])
        #expect(sleeps.all == [.seconds(1)])
        #expect(agents.calls("fence_good") == ["metadata", "off", "status"])
        #expect(log.kinds() == [
            "fence.started",
            "fence.attempt", "fence.attempt.failed", "fence.attempt", "fence.attempt.failed", "fence.level.failed",
            "fence.attempt", "fence.attempt.succeeded", "fence.confirmed", "fence.succeeded",
        ])
        #expect(log.events.first { $0.kind == .fenceLevelFailed }?.message.contains("Unable to connect") == true)
    }

    @Test func withinALevelEveryDeviceMustSucceed() async throws {
        defer { agents.remove() }
        try agents.add("fence_good", actions: ["off", "metadata"], body: "exit 0")
        try agents.add("fence_broken", actions: ["off", "metadata"], body: "exit 1")
        let fencing = FencingConfig(agentDir: agents.agentDir, action: .off, timeout: .seconds(20), devices: [
            FenceDeviceConfig(name: "psu1", agent: "fence_good", nodes: ["n2"], level: 1),
            FenceDeviceConfig(name: "psu2", agent: "fence_broken", nodes: ["n2"], level: 1),
        ])
        let coordinator = FenceCoordinator(config: .fencingTest(fencing), localNode: "n1", sleep: { _ in })
        let outcome = await coordinator.fence(node: "n2", reason: "test", trigger: .manual)
        #expect(!outcome.succeeded)
        #expect(outcome.detail.contains("psu2"))
    }

    @Test func rebootFallsBackToOffWhenTheAgentCannotReboot() async throws {
        defer { agents.remove() }
        try agents.add("fence_offonly", actions: ["off", "monitor", "metadata"], body: "exit 0")
        let fencing = FencingConfig(agentDir: agents.agentDir, action: .reboot, timeout: .seconds(20), devices: [
            FenceDeviceConfig(name: "d", agent: "fence_offonly", nodes: ["n2"]),
        ])
        let coordinator = FenceCoordinator(config: .fencingTest(fencing), localNode: "n1", sleep: { _ in })
        let outcome = await coordinator.fence(node: "n2", reason: "test", trigger: .manual)
        #expect(outcome.succeeded)
        // No status action: nothing to confirm with.
        #expect(agents.calls("fence_offonly") == ["metadata", "off"])
    }

    @Test func offThatStatusDoesNotConfirmIsAFailure() async throws {
        defer { agents.remove() }
        // Claims success but the node stays on.
        try agents.add("fence_liar", body: "[[ $opt_action == status ]] && exit 0; exit 0")
        let fencing = FencingConfig(agentDir: agents.agentDir, action: .off, timeout: .seconds(20), devices: [
            FenceDeviceConfig(name: "liar", agent: "fence_liar", nodes: ["n2"]),
        ])
        let coordinator = FenceCoordinator(config: .fencingTest(fencing), localNode: "n1", sleep: { _ in })
        let outcome = await coordinator.fence(node: "n2", reason: "test", trigger: .manual)
        #expect(!outcome.succeeded)
        #expect(outcome.detail.contains("status after fencing is ON, expected OFF"))
    }

    @Test func aHangingAgentIsRetriedOnlyWithinTheBudget() async throws {
        defer { agents.remove() }
        try agents.add("fence_hang", body: "sleep 300")
        let fencing = FencingConfig(agentDir: agents.agentDir, action: .off, timeout: .seconds(1), devices: [
            FenceDeviceConfig(name: "h", agent: "fence_hang", nodes: ["n2"]),
        ])
        let coordinator = FenceCoordinator(config: .fencingTest(fencing), localNode: "n1", sleep: { _ in })
        let outcome = await coordinator.fence(node: "n2", reason: "test", trigger: .manual)
        #expect(!outcome.succeeded)
        #expect(outcome.detail.contains("timed out after 1s"))
        // The first attempt used the whole timeout: no second attempt.
        #expect(agents.calls("fence_hang") == ["metadata", "off"])
    }

    @Test func perDeviceDelayIsWaitedBeforeOff() async throws {
        defer { agents.remove() }
        try agents.add("fence_good", actions: ["off", "metadata"], body: "exit 0")
        let fencing = FencingConfig(agentDir: agents.agentDir, action: .off, devices: [
            FenceDeviceConfig(name: "d", agent: "fence_good", nodes: ["n2"], delay: .seconds(3)),
        ])
        let sleeps = Sleeps()
        let coordinator = FenceCoordinator(config: .fencingTest(fencing), localNode: "n1", sleep: sleeps.sleep)
        #expect(await coordinator.fence(node: "n2", reason: "test", trigger: .manual).succeeded)
        #expect(sleeps.all == [.seconds(3)])
    }

    @Test func aNodeWithoutDevicesCannotBeFenced() async {
        defer { agents.remove() }
        let coordinator = FenceCoordinator(config: .fencingTest(FencingConfig(devices: [])), localNode: "n1")
        let outcome = await coordinator.fence(node: "n2", reason: "test")
        #expect(!outcome.succeeded && outcome.detail == "no fence device covers node n2")
    }
}

/// The coordinator executes the fence race delay it is given (the core decides it:
/// `ElectionNode.fenceDelay(for:)`, tested in ClusterCoreTests); it decides nothing itself.
@Suite struct FenceRaceDelayTests {
    /// Both halves of a split 2-node cluster fence each other at the same moment, with real
    /// waits; one side was told to wait. The scripted agent stands for the power switch: it
    /// powers its target off (`dead-<node>`) unless the node asking is already dead. Exactly
    /// one node survives: the one that did not wait.
    @Test(arguments: ["n1", "n2"])
    func twoCoordinatorsRacingLeaveExactlyOneSurvivor(winner: String) async throws {
        let agents = try ScriptedAgents("race2")
        defer { agents.remove() }
        try agents.add("fence_switch", actions: ["off", "metadata"], body: """
            if [[ $opt_action == off ]]; then
              if [[ $opt_port == n1 ]]; then caller=n2; else caller=n1; fi
              [[ -e "$dir/dead-$caller" ]] && { echo "Failed: $caller has no power" >&2; exit 1; }
              touch "$dir/dead-$opt_port"
            fi
            exit 0
            """)
        let fencing = FencingConfig(agentDir: agents.agentDir, action: .off, timeout: .seconds(10), devices: [
            FenceDeviceConfig(name: "switch-n1", agent: "fence_switch", nodes: ["n1"]),
            FenceDeviceConfig(name: "switch-n2", agent: "fence_switch", nodes: ["n2"]),
        ])
        let config = ClusterConfig.fencingTest(fencing)
        let n1 = FenceCoordinator(config: config, localNode: "n1")
        let n2 = FenceCoordinator(config: config, localNode: "n2")
        async let fromN1 = n1.fence(node: "n2", reason: "split", trigger: .automatic, delay: winner == "n1" ? .zero : .seconds(1))
        async let fromN2 = n2.fence(node: "n1", reason: "split", trigger: .automatic, delay: winner == "n2" ? .zero : .seconds(1))
        let outcomes = await [fromN1, fromN2]
        let dead = ["n1", "n2"].filter { agents.directory.read("dead-\($0)") != nil }
        #expect(dead.count == 1, "dead: \(dead)")
        #expect(outcomes.filter(\.succeeded).count == 1)
        #expect(!dead.contains(winner))
    }

    @Test func theCoordinatorWaitsExactlyTheDelayItIsGiven() async throws {
        let agents = try ScriptedAgents("race")
        defer { agents.remove() }
        try agents.add("fence_good", actions: ["off", "metadata"], body: "exit 0")
        let fencing = FencingConfig(agentDir: agents.agentDir, action: .off, devices: [
            FenceDeviceConfig(name: "d1", agent: "fence_good", nodes: ["n1"]),
            FenceDeviceConfig(name: "d2", agent: "fence_good", nodes: ["n2"]),
        ])
        let config = ClusterConfig.fencingTest(fencing)
        let winnerSleeps = FenceCoordinatorTests.Sleeps(), loserSleeps = FenceCoordinatorTests.Sleeps()
        let winnerLog = EventLog(), loserLog = EventLog()
        let winner = FenceCoordinator(config: config, localNode: "n1", events: winnerLog.sink, sleep: winnerSleeps.sleep)
        let loser = FenceCoordinator(config: config, localNode: "n2", events: loserLog.sink, sleep: loserSleeps.sleep)
        #expect(await winner.fence(node: "n2", reason: "split", trigger: .automatic, delay: .zero).succeeded)
        #expect(await loser.fence(node: "n1", reason: "split", trigger: .automatic, delay: .seconds(5)).succeeded)
        #expect(winnerSleeps.all.isEmpty)
        #expect(loserSleeps.all == [.seconds(5)])
        #expect(!winnerLog.kinds().contains("fence.race.delay"))
        #expect(loserLog.kinds().contains("fence.race.delay"))
        // One fence, one outcome event.
        #expect(loserLog.kinds().filter { $0 == "fence.succeeded" }.count == 1)
        // A takeover's fence (the `Fencer` entry point) and manual fencing never wait.
        let otherSleeps = FenceCoordinatorTests.Sleeps()
        let other = FenceCoordinator(config: config, localNode: "n2", sleep: otherSleeps.sleep)
        #expect(await other.fence(node: "n1", reason: "takeover").succeeded)
        #expect(await other.fence(node: "n1", reason: "hactl fence", trigger: .manual).succeeded)
        #expect(otherSleeps.all.isEmpty)
    }
}
