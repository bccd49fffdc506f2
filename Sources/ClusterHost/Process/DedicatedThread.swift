import ClusterCore
import Foundation
import Synchronization

/// Runs blocking work (waitpid, poll, blocking sockets, I/O on a storage that may hang) on a
/// thread of its own, so it never occupies one of the few threads of Swift's cooperative pool.
public enum DedicatedThread {
    static func run<T: Sendable>(name: String, _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            let thread = Thread {
                continuation.resume(returning: body())
            }
            thread.name = name
            thread.start()
        }
    }

    /// As `run`, but gives up waiting after `timeout` and returns nil: the thread is left to
    /// finish on its own (a call blocked on a hung NFS server cannot be interrupted), and its
    /// result is dropped.
    public static func run<T: Sendable>(name: String, timeout: Duration, _ body: @escaping @Sendable () -> T) async -> T? {
        let pending = Pending<T>()
        return await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            pending.slot.withLock { $0 = continuation }
            let thread = Thread {
                let result = body()
                pending.resume(returning: result)
            }
            thread.name = name
            thread.start()
            Task {
                try? await Task.sleep(for: timeout)
                pending.resume(returning: nil)
            }
        }
    }

    /// The continuation, resumed by whichever comes first: the thread or the timeout.
    private final class Pending<T: Sendable>: Sendable {
        let slot = Mutex<CheckedContinuation<T?, Never>?>(nil)

        func resume(returning value: T?) {
            slot.withLock { $0.take() }?.resume(returning: value)
        }
    }
}
