/// What `hactl check-storage` asks another node's daemon to look at: the same
/// path, a marker file the requester wrote (proves it is the same storage), a
/// lock file the requester holds (proves `flock` is exclusive across nodes),
/// and the uid of the service user there.
public struct StoragePeerProbe: Sendable, Equatable, Codable {
    /// The node whose daemon should run the probe (the local daemon forwards it).
    public var node: String
    /// The shared storage directory, the same path on every node.
    public var path: String
    /// A file inside `path` written by the requester; `token` is its content.
    public var markerFile: String?
    public var token: String?
    /// A file the requester holds `LOCK_EX` on while the probe runs.
    public var lockFile: String?
    /// The user the service runs as, to compare uids across nodes.
    public var user: String?

    public init(node: String, path: String, markerFile: String? = nil, token: String? = nil, lockFile: String? = nil, user: String? = nil) {
        self.node = node
        self.path = path
        self.markerFile = markerFile
        self.token = token
        self.lockFile = lockFile
        self.user = user
    }

    /// Prefix of the scratch files `hactl check-storage` creates (and removes) in the directory;
    /// the only names a probe may read or lock.
    public static let scratchPrefix = ".hacluster-check-"

    /// Why a daemon must not run this probe, nil when it may. The daemon runs probes as root for
    /// any member of the control group, so a probe may only look at the configured storage:
    /// `path` is `storagePath` (or inside it, without `..`), and the marker and lock are scratch
    /// files of check-storage directly in it (`.hacluster-check-*`, one path component).
    public func refusal(storagePath: String) -> String? {
        func components(_ text: String) -> [Substring] { text.split(separator: "/") }
        let storage = components(storagePath)
        let asked = components(path)
        guard path.hasPrefix("/"), !asked.contains(".."), !asked.contains("."), asked.starts(with: storage) else {
            return "the daemons check only the configured storage path \(storagePath) ([storage] path), not '\(path)'"
        }
        for name in [markerFile, lockFile].compactMap({ $0 }) {
            guard name.hasPrefix(Self.scratchPrefix), !name.contains("/"), name.count <= 200 else {
                return "'\(name)' is not a check-storage scratch file (\(Self.scratchPrefix)*) directly inside \(path)"
            }
        }
        if let token, token.count > 128 {
            return "the marker token is longer than 128 characters"
        }
        return nil
    }
}
