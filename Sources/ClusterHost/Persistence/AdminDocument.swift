import ClusterCore
import FoundationEssentials

/// The admin state as one JSON document: the `admin` object of the state file, as the etcd
/// backend stores it at `<prefix>/admin` (readable with `etcdctl get`). Decoding is strict: a
/// value no node could have written is an error that names where it was read.
public enum AdminDocument {
    public static func encode(_ admin: AdminState) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Plain values only: encoding cannot fail.
        return Array((try? encoder.encode(PersistedState.Admin(admin))) ?? Data())
    }

    /// - Parameter source: where the bytes come from (a key), named in the error.
    public static func decode(_ bytes: [UInt8], source: String) throws(StateStoreError) -> AdminState {
        let document: PersistedState.Admin
        do {
            document = try JSONDecoder().decode(PersistedState.Admin.self, from: Data(bytes))
        } catch {
            throw .corrupt(path: source, reason: "not an admin state document (\(error))")
        }
        return try document.state(path: source)
    }
}
