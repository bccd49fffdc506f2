import ClusterCore
import ClusterHost
import Dispatch
import Glibc
import Synchronization

/// Turns signals into awaitable events. Every signal it knows loses its default
/// action (terminate at once) as soon as this exists, so install it before
/// announcing readiness:
/// - SIGTERM, SIGINT: `.stop` (a planned handover, then exit 0);
/// - SIGHUP: `.reload` (a reload in place, as `systemctl reload`);
/// - SIGUSR1, SIGUSR2: `.ignored` (the daemon logs them and goes on);
/// - SIGPIPE: ignored without an event (a write to a closed socket fails with EPIPE instead).
/// `@unchecked`: the dispatch sources are touched only in `init` and `deinit`.
final class SignalWaiter: @unchecked Sendable {
    /// What a signal asks of the daemon.
    enum Event: Sendable, Equatable {
        /// SIGTERM/SIGINT: stop (hand the service over, then exit).
        case stop(Int32)
        /// SIGHUP: reload in place.
        case reload
        /// SIGUSR1/SIGUSR2: nothing (logged at notice).
        case ignored(Int32)
    }

    static let stopSignals: [Int32] = [SIGTERM, SIGINT]
    static let reloadSignals: [Int32] = [SIGHUP]
    static let ignoredSignals: [Int32] = [SIGUSR1, SIGUSR2]
    /// Ignored with no event at all.
    static let silentSignals: [Int32] = [SIGPIPE]

    private let sources: [any DispatchSourceSignal]
    private let stream: AsyncStream<Event>
    private let stops = Counter()

    private final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    init() {
        let queue = DispatchQueue(label: "haclusterd.signals")
        let (stream, continuation) = AsyncStream<Event>.makeStream()
        self.stream = stream
        for number in Self.silentSignals { signal(number, SIG_IGN) }
        let stops = self.stops
        sources = (Self.stopSignals + Self.reloadSignals + Self.ignoredSignals).map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            let event = Self.event(for: number)
            source.setEventHandler {
                if case .stop = event { stops.value.add(1, ordering: .relaxed) }
                continuation.yield(event)
            }
            source.resume()
            return source
        }
    }

    static func event(for number: Int32) -> Event {
        if stopSignals.contains(number) { return .stop(number) }
        if reloadSignals.contains(number) { return .reload }
        return .ignored(number)
    }

    /// The next signal received.
    func next() async -> Event {
        for await event in stream { return event }
        return .stop(SIGTERM)
    }

    /// Stop signals received so far (a second one cuts a handover short).
    var stopsReceived: Int { stops.value.load(ordering: .relaxed) }

    static func name(of number: Int32) -> String {
        switch number {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        case SIGHUP: "SIGHUP"
        case SIGUSR1: "SIGUSR1"
        case SIGUSR2: "SIGUSR2"
        case SIGPIPE: "SIGPIPE"
        default: "signal \(number)"
        }
    }

    deinit {
        sources.forEach { $0.cancel() }
    }
}
