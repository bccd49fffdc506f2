@testable import ClusterNode
import CoreTestSupport
import Foundation
import Glibc
import Logging
import Synchronization
import Testing
@testable import ClusterCore

/// `[[alert]]` programs run by the real process runner: real shell scripts in a scratch
/// directory, their environment and output read back from files.
@Suite(.serialized) struct AlertDispatcherTests {
    private func script(_ directory: URL, _ name: String, _ body: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try ConfigFixtures.write(Array("#!/bin/sh\n\(body)\n".utf8), to: url, mode: 0o755)
        return url.path
    }

    private func event(_ kind: EventKind, _ message: String = "m", time: Double = 1_796_550_601.5) -> ClusterEvent {
        ClusterEvent(time: time, node: "dss1", kind: kind, severity: .notice, message: message)
    }

    /// Polls `condition` every 20 ms for at most `seconds`.
    private func eventually(_ seconds: Double = 15, _ condition: () -> Bool) async -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    private func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test func theSelectedEventsRunTheProgramInOrderWithTheirEnvironment() async throws {
        let directory = try ConfigFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("alerts.log").path
        let command = try script(directory, "notify", """
            echo "$HA_EVENT|$HA_NODE|$HA_CLUSTER|$HA_TERM|$HA_SEQUENCE|$HA_TIMESTAMP|$HA_MESSAGE" >> \(log)
            env | cut -d= -f1 | sort | tr '\\n' ' ' > \(directory.path)/names
            """)
        let dispatcher = AlertDispatcher(
            alerts: [AlertConfig(command: command, events: ["service.*", "fence.failed"])], cluster: "dss_cluster",
            logger: EventHubTests.Journal().logger, term: { 7 })
        dispatcher.enqueue(event(.serviceTakeover, "taking over"))
        dispatcher.enqueue(event(.takeoverLock))  // not selected
        dispatcher.enqueue(event(.fenceFailed, "ipmi timed out; retrying"))
        dispatcher.enqueue(event(.serviceStarted, "started"))
        #expect(await eventually { dispatcher.counters().first?.succeeded == 3 }, "counters: \(dispatcher.counters())")
        #expect(lines(log) == [
            "service.takeover|dss1|dss_cluster|7|1|2026-12-06T09:50:01.500Z|taking over",
            "fence.failed|dss1|dss_cluster|7|3|2026-12-06T09:50:01.500Z|ipmi timed out; retrying",
            "service.started|dss1|dss_cluster|7|4|2026-12-06T09:50:01.500Z|started",
        ])
        // A scrubbed environment: the variables above, PATH and LC_ALL; nothing of the daemon's own.
        let text = try String(contentsOfFile: directory.appendingPathComponent("names").path, encoding: .utf8)
        let shellOwn: Set<String> = ["PWD", "SHLVL", "_"]
        let names: Set<String> = Set(text.split(separator: " ").map(String.init)).subtracting(shellOwn)
        let expected: Set<String> = [
            "HA_EVENT", "HA_SEVERITY", "HA_MESSAGE", "HA_NODE", "HA_CLUSTER", "HA_TIMESTAMP", "HA_TIMESTAMP_EPOCH",
            "HA_TIMESTAMP_USEC", "HA_SEQUENCE", "HA_VERSION", "HA_TERM", "PATH", "LC_ALL",
        ]
        #expect(names == expected, "\(names)")
    }

    @Test func aFailingOrHangingProgramIsCountedAndKilledAndTheNextEventStillRuns() async throws {
        let directory = try ConfigFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("ran").path
        let pidFile = directory.appendingPathComponent("hung.pid").path
        // The first event hangs (its pid kept), the second fails, the third succeeds.
        let command = try script(directory, "flaky", """
            case "$HA_SEQUENCE" in
              1) echo $$ > \(pidFile); exec sleep 60 ;;
              2) echo "no route to the pager" >&2; exit 3 ;;
              *) echo "$HA_EVENT" >> \(log) ;;
            esac
            """)
        let journal = EventHubTests.Journal()
        let dispatcher = AlertDispatcher(
            alerts: [AlertConfig(command: command, events: ["*"], timeout: .milliseconds(300))], cluster: "c",
            logger: journal.logger, term: { nil })
        dispatcher.enqueue(event(.linkDown))
        dispatcher.enqueue(event(.linkUp))
        dispatcher.enqueue(event(.serviceStarted))
        #expect(await eventually { dispatcher.counters().first == .init(succeeded: 1, failed: 1, timedOut: 1, dropped: 0) },
                "counters: \(dispatcher.counters())")
        #expect(lines(log) == ["service.started"])
        let pid = try #require(Int32(lines(pidFile).first ?? ""))
        #expect(await eventually(5) { kill(pid, 0) != 0 }, "the hung program (pid \(pid)) was not killed")
        let warnings = journal.entries.withLock { $0 }.filter { $0.level == .warning }.map(\.message)
        #expect(warnings.contains { $0.contains("did not finish within 300ms") && $0.contains("link.down") }, "\(warnings)")
        #expect(warnings.contains { $0.contains("exited with status 3: no route to the pager") }, "\(warnings)")
    }

    @Test func aFullQueueDropsNewEventsAndCountsThemWithoutWaiting() async throws {
        let directory = try ConfigFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let gate = directory.appendingPathComponent("gate").path
        let log = directory.appendingPathComponent("ran").path
        // Each run waits for the gate file (at most 20 s), so the queue fills up.
        let command = try script(directory, "slow", """
            i=0; while [ ! -e \(gate) ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done
            echo "$HA_SEQUENCE" >> \(log)
            """)
        let dispatcher = AlertDispatcher(
            alerts: [AlertConfig(command: command, events: ["*"], timeout: .seconds(30))], cluster: "c",
            logger: EventHubTests.Journal().logger, term: { nil })
        for index in 0..<100 { dispatcher.enqueue(event(.linkDown, "\(index)")) }
        let dropped = dispatcher.counters().first?.dropped ?? 0
        #expect((35...36).contains(dropped), "100 events, \(AlertDispatcher.queueLimit) queued and at most one running: dropped \(dropped)")
        FileManager.default.createFile(atPath: gate, contents: nil)
        #expect(await eventually(30) { dispatcher.counters().first?.succeeded == 100 - dropped }, "\(dispatcher.counters())")
        let sequences = lines(log).compactMap(Int.init)
        #expect(sequences == sequences.sorted(), "in the order of the events")
        #expect(sequences.first == 1, "the oldest events run; the newest are dropped")
    }
}
