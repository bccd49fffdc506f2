import ClusterCore
import FoundationEssentials
import Synchronization

/// Runs blocking work (waitpid, poll, blocking sockets, I/O on a storage that may hang) on a
/// thread of its own, so it never occupies one of the few threads of Swift's cooperative pool.
public enum DedicatedThread {
    static func run<T: Sendable>(name: String, _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            OSThread.start(name: name) {
                continuation.resume(returning: body())
            }
        }
    }

    /// As `run`, but gives up waiting after `timeout` and returns nil: the thread is left to
    /// finish on its own (a call blocked on a hung NFS server cannot be interrupted), and its
    /// result is dropped.
    /// - Parameter late: given the result when it comes after the caller gave up (to undo it:
    ///   close a descriptor, give a lock back).
    public static func run<T: Sendable>(
        name: String, timeout: Duration, late: @escaping @Sendable (T) -> Void = { _ in }, _ body: @escaping @Sendable () -> T
    ) async -> T? {
        let pending = Pending<T>()
        return await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            pending.slot.withLock { $0 = continuation }
            OSThread.start(name: name) {
                let result = body()
                if !pending.resume(returning: result) { late(result) }
            }
            Task {
                try? await Task.sleep(for: timeout)
                pending.resume(returning: nil)
            }
        }
    }

    /// The continuation, resumed by whichever comes first: the thread or the timeout.
    private final class Pending<T: Sendable>: Sendable {
        let slot = Mutex<CheckedContinuation<T?, Never>?>(nil)

        /// Whether this call resumed the caller (false: the other side already did).
        @discardableResult
        func resume(returning value: T?) -> Bool {
            guard let continuation = slot.withLock({ $0.take() }) else { return false }
            continuation.resume(returning: value)
            return true
        }
    }
}
