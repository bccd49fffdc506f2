#if Etcd
import ClusterCore

/// etcd's election recipe on the cluster's `leader` key: a node becomes coordinator by creating
/// the key bound to its lease, in a transaction that holds only while the key does not exist.
/// The key's create revision is the coordinator's term.
public struct EtcdElection: Sendable {
    /// What a campaign found.
    public enum Outcome: Sendable, Equatable {
        /// This node created the key; `term` is its create revision.
        case won(term: Int64)
        /// Another node (or this one, with another lease) holds the key.
        case held(by: String, term: Int64, lease: Int64)
        /// The key existed when compared and was gone when read (its lease expired in between):
        /// campaign again.
        case vacant
    }

    public let client: EtcdClient
    public let keys: EtcdKeys
    public let node: String

    public init(client: EtcdClient, keys: EtcdKeys, node: String) {
        self.client = client
        self.keys = keys
        self.node = node
    }

    /// Creates the leader key bound to `lease` if nobody holds it. Safe to repeat: a campaign
    /// whose answer was lost and that did create the key finds it with this node's own lease.
    public func campaign(lease: Int64) async throws(EtcdError) -> Outcome {
        let result = try await client.txn(
            [.createRevision(keys.leader, equals: 0)],
            success: [.put(keys.leader, Array(node.utf8), lease: lease), .get(keys.leader)],
            failure: [.get(keys.leader)])
        guard let key = result.gets.last ?? nil else { return .vacant }
        let holder = String(decoding: key.value, as: UTF8.self)
        if key.lease == lease && holder == node { return .won(term: key.createRevision) }
        return .held(by: holder, term: key.createRevision, lease: key.lease)
    }

    /// Deletes the leader key if it is still this term's: a clean hand-back of leadership.
    /// Returns false when the key was already gone or another term's.
    @discardableResult
    public func resign(term: Int64) async throws(EtcdError) -> Bool {
        try await client.txn([.createRevision(keys.leader, equals: term)], success: [.delete(keys.leader)]).succeeded
    }

    /// Records who holds the service, only while `record.term` is still the leader key's create
    /// revision: false when this node is no longer coordinator (nothing was written).
    public func recordHolder(_ record: EtcdHolderRecord) async throws(EtcdError) -> Bool {
        try await client.txn([.createRevision(keys.leader, equals: record.term)], success: [.put(keys.holder, record.encoded)]).succeeded
    }

    /// The holder record; nil when there is none (the service never ran under this prefix).
    public func holder() async throws(EtcdError) -> EtcdHolderRecord? {
        guard let key = try await client.get(keys.holder) else { return nil }
        do {
            return try EtcdHolderRecord(decoding: key.value)
        } catch {
            throw .badValue(key: keys.holder, error.description)
        }
    }

    /// The current coordinator: name, term and lease; nil when nobody holds the key.
    public func leader() async throws(EtcdError) -> (node: String, term: Int64, lease: Int64)? {
        guard let key = try await client.get(keys.leader) else { return nil }
        return (String(decoding: key.value, as: UTF8.self), key.createRevision, key.lease)
    }
}
#endif
