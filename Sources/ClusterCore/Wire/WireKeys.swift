import Crypto
import FoundationEssentials

/// The keys of one cluster, derived from the cluster key file's bytes and bound
/// to the cluster name.
///
/// - cluster key: `HKDF-SHA256(ikm: key file bytes, salt: "haclusterd/wire/v1",
///   info: "cluster=" + name)`; two clusters with the same key file but different
///   names share no key.
/// - session key of one sender run: `HKDF-SHA256(ikm: cluster key, salt: "",
///   info: "session" || len(sender) || sender || incarnation)`; every (sender,
///   incarnation) has its own key, so the nonce can be just the sequence number
///   and never repeats under one key.
public struct WireKeys: Sendable {
    public let clusterName: String
    /// First bytes of SHA-256 of the cluster name, sent in clear so that a
    /// datagram of another cluster is reported as such (not as a forgery).
    public let clusterTag: [UInt8]
    private let clusterKey: SymmetricKey

    /// Keys from the cluster key file (`ClusterKey`, 32...4096 bytes).
    public init(clusterKey: ClusterKey, clusterName: String) {
        self.init(keyMaterial: clusterKey.bytes, clusterName: clusterName)
    }

    /// Keys from raw key bytes (not empty; the key file loader enforces 32 or more).
    public init(keyMaterial: [UInt8], clusterName: String) {
        precondition(!keyMaterial.isEmpty, "the cluster key must not be empty (the config loader checks its size)")
        self.clusterName = clusterName
        self.clusterTag = Array(SHA256.hash(data: Array("haclusterd/cluster/\(clusterName)".utf8)).prefix(WireFormat.clusterTagSize))
        self.clusterKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: keyMaterial),
            salt: Array("haclusterd/wire/v1".utf8),
            info: Array("cluster=\(clusterName)".utf8),
            outputByteCount: 32
        )
    }

    /// The key that seals every datagram of `sender` during `incarnation`.
    public func sessionKey(sender: String, incarnation: Incarnation) -> SymmetricKey {
        var info = ByteWriter(capacity: 96)
        info.write(bytes: Array("session".utf8))
        info.write(sender)
        info.write(incarnation.rawValue)
        return HKDF<SHA256>.deriveKey(
            inputKeyMaterial: clusterKey,
            salt: [UInt8](),
            info: info.bytes,
            outputByteCount: 32
        )
    }

    /// 96-bit nonce: four zero bytes, then the sequence number big-endian.
    static func nonce(sequence: UInt64) -> ChaChaPoly.Nonce {
        var bytes = ByteWriter(capacity: 12)
        bytes.write(UInt32(0))
        bytes.write(sequence)
        // 12 bytes is always a valid ChaCha20-Poly1305 nonce.
        return try! ChaChaPoly.Nonce(data: bytes.bytes)
    }
}
