import ClusterCore

extension ClusterKey {
    /// Reads the key file: it must exist, be a regular file, have no group/other permission bits,
    /// hold 32...4096 bytes and look random.
    public static func load(path: String) throws(SecretFileError) -> ClusterKey {
        let bytes = try SecretFile.read(path: path, allowedSize: minimumLength...maximumLength)
        guard Set(bytes).count >= minimumDistinctBytes else { throw .notRandom(path: path) }
        return ClusterKey(bytes: bytes)
    }

}
