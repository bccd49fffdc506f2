import ClusterCore
import Glibc

/// Whether a file the daemon trusts (the configuration, the cluster key, a fence device's
/// password file) can only be changed by root: the file is owned by root (or by the user the
/// daemon runs as) and is not writable by group or others, and the same holds for the
/// directory that holds it, where anyone who may write could replace the file. A sticky
/// directory writable by all (`/tmp`) is accepted: there only the owner may rename or remove
/// the file. Only the file and its own directory are checked, not every ancestor.
public enum FileTrust {
    /// Why `path` is not trustworthy, nil when it is (or when it cannot be examined: the
    /// reading that follows reports that).
    /// - Parameter checkMode: also the file's own mode (off where the caller checks it already).
    public static func problem(path: String, checkMode: Bool = true) -> String? {
        var file = stat()
        guard stat(path, &file) == 0 else { return nil }
        if let owner = untrustedOwner(file) { return "\(path) is owned by uid \(owner), expected root: chown root \(path)" }
        let mode = UInt32(file.st_mode) & 0o7777
        if checkMode, mode & 0o022 != 0 {
            return "\(path) has mode \(SecretFileError.octal(mode)): group or others may change it: chmod go-w \(path)"
        }
        let directory = parent(of: path)
        var holder = stat()
        guard stat(directory, &holder) == 0 else { return nil }
        if let owner = untrustedOwner(holder) {
            return "\(path) is in \(directory), owned by uid \(owner), who could replace it: keep it in a directory owned by root"
        }
        let directoryMode = UInt32(holder.st_mode) & 0o7777
        if directoryMode & 0o022 != 0 && directoryMode & UInt32(S_ISVTX) == 0 {
            return "\(path) is in \(directory), mode \(SecretFileError.octal(directoryMode)): group or others could replace it: chmod go-w \(directory)"
        }
        return nil
    }

    /// Why the directory at `path` is not one only root can change (owned by root or the
    /// daemon's user, not writable by group or others), nil when it is or does not exist.
    public static func directoryProblem(path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        if let owner = untrustedOwner(info) { return "\(path) is owned by uid \(owner), expected root: chown root \(path)" }
        let mode = UInt32(info.st_mode) & 0o7777
        if mode & 0o022 != 0 {
            return "\(path) has mode \(SecretFileError.octal(mode)): group or others could put files there: chmod go-w \(path)"
        }
        return nil
    }

    private static func untrustedOwner(_ info: stat) -> uid_t? {
        info.st_uid == 0 || info.st_uid == geteuid() ? nil : info.st_uid
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let head = String(path[..<slash])
        return head.isEmpty ? "/" : head
    }
}
