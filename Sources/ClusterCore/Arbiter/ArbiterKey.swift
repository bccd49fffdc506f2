import Crypto

/// The key that authenticates every block of the arbiter file, derived from the cluster key
/// file's bytes and bound to the cluster name, like `WireKeys` but for another purpose:
///
/// `HKDF-SHA256(ikm: key file bytes, salt: "haclusterd/arbiter/v1", info: "cluster=" + name)`
///
/// A different salt than the wire's, so the arbiter's HMAC key and the datagrams' keys are
/// independent. Anyone holding the cluster key can write a valid block; nobody else can
/// (another cluster's daemon on the same storage, a stray process, a corrupted block).
public struct ArbiterKey: Sendable {
    public static let tagSize = 32
    public static let clusterTagSize = 8

    public let clusterName: String
    /// First bytes of SHA-256("haclusterd/cluster/" + name): in the header in clear, so a
    /// file of another cluster is reported as such (not as a forgery).
    public let clusterTag: [UInt8]
    private let key: SymmetricKey

    /// The key from the cluster key file (`ClusterKey`, 32...4096 bytes).
    public init(clusterKey: ClusterKey, clusterName: String) {
        self.init(keyMaterial: clusterKey.bytes, clusterName: clusterName)
    }

    /// The key from raw key bytes (not empty; the key file loader enforces 32 or more).
    public init(keyMaterial: [UInt8], clusterName: String) {
        precondition(!keyMaterial.isEmpty, "the cluster key must not be empty (the config loader checks its size)")
        self.clusterName = clusterName
        self.clusterTag = Self.clusterTag(of: clusterName)
        self.key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: keyMaterial),
            salt: Array("haclusterd/arbiter/v1".utf8),
            info: Array("cluster=\(clusterName)".utf8),
            outputByteCount: 32
        )
    }

    /// The cluster tag of any cluster name (the header check compares tags, then names).
    public static func clusterTag(of clusterName: String) -> [UInt8] {
        Array(SHA256.hash(data: Array("haclusterd/cluster/\(clusterName)".utf8)).prefix(clusterTagSize))
    }

    /// HMAC-SHA256 of `bytes`.
    public func authenticationCode(for bytes: ArraySlice<UInt8>) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: bytes, using: key))
    }

    /// Whether `code` is the HMAC of `bytes` (compared in constant time).
    public func isValid(_ code: ArraySlice<UInt8>, for bytes: ArraySlice<UInt8>) -> Bool {
        HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: bytes, using: key)
    }
}
