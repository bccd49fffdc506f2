import ClusterHost
import ClusterCore
import Logging
import Synchronization

/// Where every cluster event goes: the core's and the runtime's (election, service,
/// wire, persistence), the takeover sequence's (each step with its duration), the fence
/// coordinator's and the fence monitor's. This is the node's one event ring and the one
/// place an event gets its time: each record is stamped with the wall clock and the local
/// node as it arrives, logged (journal fields `EVENT_KIND`, `DURATION_MS`, `EVENT_NODE`),
/// kept in a ring of the last `capacity` for `hactl events`, and handed to the
/// `hactl events --follow` streams, to the `[[alert]]` programs (`AlertDispatcher`) and to the
/// metrics (`ClusterMetrics`).
final class EventHub: Sendable {
    private let localNode: String
    private let logger: Logger
    private let capacity: Int
    private let wallClock: @Sendable () -> Double
    private let recentEvents = Mutex<[ClusterEvent]>([])
    private let followers = Mutex<[Int: AsyncStream<ClusterEvent>.Continuation]>([:])
    private let nextFollower = Atomic<Int>(0)

    private let observers: [@Sendable (ClusterEvent) -> Void]

    /// - wallClock: seconds since the UNIX epoch (tests pass a fixed one).
    /// - observers: handed every published event, in order; they must not block (the `[[alert]]`
    ///   programs' queues, the metrics).
    init(
        localNode: String, logger: Logger, capacity: Int = 1000,
        wallClock: @escaping @Sendable () -> Double = { SystemClock.wallClockTime() },
        observers: [@Sendable (ClusterEvent) -> Void] = []
    ) {
        precondition(capacity > 0)
        self.localNode = localNode
        self.logger = logger
        self.capacity = capacity
        self.wallClock = wallClock
        self.observers = observers
    }

    /// The last events, oldest first.
    func recent() -> [ClusterEvent] {
        recentEvents.withLock { $0 }
    }

    /// Puts the events a previous image of the daemon kept (re-execution in place) before any
    /// published since, without logging them again.
    func adopt(_ earlier: [ClusterEvent]) {
        recentEvents.withLock { events in
            events.insert(contentsOf: earlier, at: 0)
            if events.count > capacity { events.removeFirst(events.count - capacity) }
        }
    }

    /// Stamps `record` (now, this node) and hands it on; returns the event as published.
    @discardableResult
    func publish(_ record: EventRecord) -> ClusterEvent {
        // Stamped under the ring's lock: the ring's order is the order of the timestamps.
        let event = recentEvents.withLock { events in
            let event = ClusterEvent(record, time: wallClock(), node: localNode)
            events.append(event)
            if events.count > capacity { events.removeFirst(events.count - capacity) }
            return event
        }
        var metadata: Logger.Metadata = ["event_kind": "\(event.kind)", "event_node": "\(event.node)"]
        if let duration = event.durationMilliseconds { metadata["duration_ms"] = "\(duration)" }
        if let uid = event.uid { metadata["operator_uid"] = "\(uid)" }
        logger.log(level: Self.level(of: event.severity), "\(event.message)", metadata: metadata)
        let current = followers.withLock { Array($0.values) }
        for continuation in current { continuation.yield(event) }
        for observer in observers { observer(event) }
        return event
    }

    /// A stream of the events published from now on; it ends when the caller stops
    /// iterating or when the daemon finishes all streams at shutdown.
    func follow() -> AsyncStream<ClusterEvent> {
        let id = nextFollower.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream<ClusterEvent>.makeStream(bufferingPolicy: .bufferingNewest(1000))
        continuation.onTermination = { [weak self] _ in
            _ = self?.followers.withLock { $0.removeValue(forKey: id) }
        }
        followers.withLock { $0[id] = continuation }
        return stream
    }

    /// Ends every follower's stream (`hactl events --follow` sees the end).
    func finishAll() {
        let current = followers.withLock { followers in
            defer { followers.removeAll() }
            return Array(followers.values)
        }
        for continuation in current { continuation.finish() }
    }

    static func level(of severity: ClusterEvent.Severity) -> Logger.Level {
        switch severity {
        case .info: .info
        case .notice: .notice
        case .warning: .warning
        case .error: .error
        }
    }
}
