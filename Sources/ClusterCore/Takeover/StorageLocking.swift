/// The exclusive lock on shared storage held while the service runs: `SharedStorageLock`
/// in production, fakes in unit tests.
public protocol StorageLocking: Sendable {
    /// Takes the lock, retrying until the configured timeout; throws `SharedStorageLockError`.
    func acquire() async throws
    /// Gives the lock up. Idempotent.
    func release() async
}
