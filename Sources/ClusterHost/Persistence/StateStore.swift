import ClusterCore
/// Where a node keeps its `PersistentState` (term, vote, admin snapshot).
///
/// Contract: when `save` returns, the state survives a crash or power loss;
/// when it throws, the previous state is still what `load` returns, and the
/// caller must not act on the new state (no message that depends on it).
public protocol StateStore: Sendable {
    /// The saved state; nil if nothing was ever saved (a new node). A damaged
    /// file is an error, never nil: starting from term 0 could double-vote.
    func load() throws(StateStoreError) -> PersistentState?
    func save(_ state: PersistentState) throws(StateStoreError)
}
