/// What `StorageLocking.verify` found while the service runs.
public enum LockCheck: Sendable, Equatable {
    /// Not held, or the held lock is on the file the path names.
    case intact
    /// The lock file was removed or replaced; the file now at the path was free and is now
    /// locked instead (the service goes on). Why.
    case retaken(String)
    /// The lock file was removed or replaced and the file now at the path is locked by someone
    /// else, or cannot be locked: two holders are possible. Why.
    case lost(String)
}
