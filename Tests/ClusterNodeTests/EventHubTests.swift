@testable import ClusterNode
import Logging
import Synchronization
import Testing
@testable import ClusterCore

/// The node's one event ring, and the one place an event gets its time.
@Suite struct EventHubTests {
    /// Keeps what the hub logs: message, level, metadata.
    final class Journal: Sendable {
        struct Entry: Sendable {
            var level: Logger.Level
            var message: String
            var metadata: [String: String]
        }

        let entries = Mutex<[Entry]>([])

        var logger: Logger {
            Logger(label: "event-hub-test") { _ in Handler(journal: self) }
        }

        struct Handler: LogHandler {
            let journal: Journal
            var metadata: Logger.Metadata = [:]
            var logLevel: Logger.Level = .trace

            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }

            func log(event: LogEvent) {
                let fields = (event.metadata ?? [:]).mapValues { "\($0)" }
                journal.entries.withLock { $0.append(Entry(level: event.level, message: "\(event.message)", metadata: fields)) }
            }
        }
    }

    @Test("each record is stamped with the hub's clock and node; the ring keeps the newest, oldest first")
    func stampsAndKeepsTheNewest() {
        let ticks = Atomic<Int>(0)
        let hub = EventHub(localNode: "dss1", logger: Journal().logger, capacity: 3) {
            Double(ticks.add(1, ordering: .relaxed).newValue) + 0.25
        }
        #expect(hub.recent().isEmpty)
        let first = hub.publish(EventRecord(kind: .electionWon, message: "won term 7"))
        #expect(first == ClusterEvent(time: 1.25, node: "dss1", kind: .electionWon, message: "won term 7"))
        for index in 2...5 {
            hub.publish(EventRecord(kind: .takeoverStart, message: "step \(index)"))
        }
        #expect(hub.recent().map(\.message) == ["step 3", "step 4", "step 5"])
        #expect(hub.recent().map(\.time) == [3.25, 4.25, 5.25])
        #expect(hub.recent().allSatisfy { $0.node == "dss1" && $0.kind == "takeover.start" })
    }

    @Test("the journal gets the message, the level of the severity and the fields EVENT_KIND, EVENT_NODE, DURATION_MS")
    func journalFields() {
        let journal = Journal()
        let hub = EventHub(localNode: "dss2", logger: journal.logger) { 7 }
        hub.publish(EventRecord(kind: .fenceFailed, severity: .error, message: "ipmi timed out", durationMilliseconds: 1500))
        hub.publish(EventRecord(kind: .leaseClaimed, message: "lease of term 3 claimed"))
        let entries = journal.entries.withLock { $0 }
        #expect(entries.count == 2)
        #expect(entries.first?.level == .error)
        #expect(entries.first?.message == "ipmi timed out")
        #expect(entries.first?.metadata == ["event_kind": "fence.failed", "event_node": "dss2", "duration_ms": "1500"])
        #expect(entries.last?.level == .info)
        #expect(entries.last?.metadata == ["event_kind": "lease.claimed", "event_node": "dss2"])
    }

    @Test func followersGetTheStampedEventsUntilFinished() async {
        let hub = EventHub(localNode: "dss1", logger: Journal().logger) { 42 }
        let stream = hub.follow()
        hub.publish(EventRecord(kind: .linkBound, severity: .notice, message: "link 1 is bound now"))
        hub.finishAll()
        var received: [ClusterEvent] = []
        for await event in stream { received.append(event) }
        #expect(received == [ClusterEvent(time: 42, node: "dss1", kind: .linkBound, severity: .notice, message: "link 1 is bound now")])
        #expect(received == hub.recent())
    }
}
