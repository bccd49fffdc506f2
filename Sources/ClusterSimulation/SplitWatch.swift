/// The storage shape's network splits, for property 8 (`Violation.Property.splitFence`).
///
/// A *split* is a time in which at least one direction of the network between the two
/// nodes is blocked. It is *clean* while both nodes are up, unpaused and their disks healthy:
/// from `storage_timeout` before the split began until now, neither process started, paused,
/// had a cycle fail or find its I/O hung, nor had a write of its heartbeat land (a read
/// complete) more than `onTime` after its previous one; and none is that far overdue now.
/// Once unclean, a split stays so until it ends.
///
/// `onTime` is 0.45 × `storage_timeout`: a counter that a node reads on time and its peer writes
/// on time stands still, as the reader sees it, less than 2 × `onTime` = 0.9 × `storage_timeout`
/// of real time, under `storage_timeout` on the reader's clock even 0.9 % fast. The window
/// before the split makes the reader's view fresh when it starts. The design must never find
/// such a peer silent on storage: a fence that a node asks for (a `fence` action, or a
/// `takeover` that fences first) during a clean split breaks it.
struct SplitWatch {
    /// When the current split began (nil: the network between the two is whole).
    var since: UInt64?
    /// False once something made the current split unclean (it stays so until the split ends).
    var clean = false
    /// Clean splits (ended, or running when the run ended) that lasted at least
    /// failure_timeout + storage_timeout: long enough for a node to lose its peer on the
    /// network and then judge its disk heartbeat.
    var cleanSplits = 0
    /// Their total length, nanoseconds.
    var cleanSplitTime: UInt64 = 0
}
