import ClusterCore
/// `StateStore` on a file in `state_dir` (`<state_dir>/state`), written
/// atomically (temp file, fsync, rename, fsync directory) with a checksum:
/// see `StateFile` for the format.
public struct FileStateStore: StateStore {
    public static let fileName = "state"
    private let file: StateFile<PersistedState>

    public init(directory: String) {
        file = StateFile(path: directory + "/" + Self.fileName, kind: "state")
    }

    public var path: String { file.path }

    public func load() throws(StateStoreError) -> PersistentState? {
        guard let record = try file.load() else { return nil }
        return try record.state(path: file.path)
    }

    public func save(_ state: PersistentState) throws(StateStoreError) {
        try file.save(PersistedState(state))
    }
}
