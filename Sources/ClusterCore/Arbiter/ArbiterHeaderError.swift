/// Why the arbiter file's header is not this node's: the file must not be used, because its
/// slots mean something else (another cluster, another release's layout, other nodes).
/// The file's path is added by the shell (`ArbiterFileError.header`).
public enum ArbiterHeaderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Block 0 is all zeros (a new file not yet initialised).
    case notInitialised
    /// Fewer bytes than one block.
    case truncated(length: Int)
    /// Does not start with "HACLARB1": not an arbiter file.
    case notAnArbiterFile
    /// Written by a release with another layout.
    case unsupportedVersion(found: UInt16, supported: UInt16)
    /// The header of another cluster (its name, or a cluster tag that is not its name's).
    case otherCluster(name: String, expected: String)
    /// Our cluster's name, but the HMAC does not verify: written with another cluster key, or altered.
    case authenticationFailed
    /// Laid out for other nodes than this node's configuration has.
    case otherNodes(file: [String], configured: [String])
    /// Magic and version are right but a field does not decode.
    case malformed(String)

    public var description: String {
        switch self {
        case .notInitialised:
            "header is all zeros (the file was never initialised)"
        case let .truncated(length):
            "header is \(length) bytes, a block is \(ArbiterLayout.blockSize)"
        case .notAnArbiterFile:
            "not an arbiter file (no \"HACLARB1\" header)"
        case let .unsupportedVersion(found, supported):
            "header has layout version \(found), this release reads version \(supported) (written by another release of haclusterd)"
        case let .otherCluster(name, expected):
            "header belongs to cluster '\(name)', this node is in cluster '\(expected)' (two clusters must not share an arbiter file)"
        case .authenticationFailed:
            "header not written by a holder of the cluster key (same cluster name, another key, or the block was altered)"
        case let .otherNodes(file, configured):
            "header lays the file out for nodes \(file.joined(separator: ", ")), this node's configuration has "
                + "\(configured.joined(separator: ", ")): every node needs the same [[node]] list; "
                + "remove the file once all nodes run the new configuration"
        case let .malformed(reason):
            "malformed header: \(reason)"
        }
    }
}
