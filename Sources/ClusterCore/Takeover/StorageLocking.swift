/// The exclusive lock on shared storage held while the service runs: `SharedStorageLock`
/// in production, fakes in unit tests.
public protocol StorageLocking: Sendable {
    /// Takes the lock, retrying until the configured timeout; throws `SharedStorageLockError`.
    func acquire() async throws
    /// Gives the lock up. Idempotent.
    func release() async
    /// While held: whether the held lock still guards the path others lock; a lock file
    /// removed or replaced is locked again at its path when nobody holds the new file.
    func verify() async -> LockCheck
}

extension StorageLocking {
    public func verify() async -> LockCheck { .intact }
}
