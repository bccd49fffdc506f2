import ClusterCore
import ClusterHost
import Dispatch
import Glibc

/// Turns SIGTERM/SIGINT into an awaitable event. The signals' default action
/// (terminate at once) is disabled as soon as this exists, so install it
/// before announcing readiness.
final class SignalWaiter {
    private let sources: [any DispatchSourceSignal]
    private let stream: AsyncStream<Int32>

    init(signals: [Int32] = [SIGTERM, SIGINT]) {
        let queue = DispatchQueue(label: "haclusterd.signals")
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        self.stream = stream
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    /// The next signal received.
    func next() async -> Int32 {
        for await number in stream { return number }
        return SIGTERM
    }

    static func name(of number: Int32) -> String {
        switch number {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        case SIGHUP: "SIGHUP"
        default: "signal \(number)"
        }
    }

    deinit {
        sources.forEach { $0.cancel() }
    }
}
