import ClusterCore
import Foundation

/// Runs blocking work (waitpid, poll, blocking sockets) on a thread of its own, so it
/// never occupies one of the few threads of Swift's cooperative pool.
enum DedicatedThread {
    static func run<T: Sendable>(name: String, _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            let thread = Thread {
                continuation.resume(returning: body())
            }
            thread.name = name
            thread.start()
        }
    }
}
