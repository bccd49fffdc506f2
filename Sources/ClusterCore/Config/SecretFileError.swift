
/// Why a secret file (the cluster key, a fence device's `password_file`) cannot be used.
public enum SecretFileError: Error, Sendable, Equatable, CustomStringConvertible {
    case missing(path: String)
    /// open/fstat/read failed (permission denied, I/O error, ...): the system's message.
    case unreadable(path: String, reason: String)
    /// A directory, device, FIFO, socket...
    case notRegularFile(path: String)
    /// Group or other permission bits are set (or the owner cannot read it).
    case insecureMode(path: String, mode: UInt32)
    case tooShort(path: String, size: Int, minimum: Int)
    case tooLarge(path: String, size: Int, maximum: Int)
    /// Fewer distinct byte values than any random key of that size would have: a typed word, not a key.
    case notRandom(path: String)
    /// Someone other than root could change it (owner, or its directory): `FileTrust`.
    case untrusted(path: String, reason: String)

    public var path: String {
        switch self {
        case .missing(let path), .unreadable(let path, _), .notRegularFile(let path),
            .insecureMode(let path, _), .tooShort(let path, _, _), .tooLarge(let path, _, _), .notRandom(let path),
            .untrusted(let path, _):
            path
        }
    }

    public var description: String {
        switch self {
        case .missing(let path):
            "\(path) does not exist"
        case .unreadable(let path, let reason):
            "\(path) cannot be read: \(reason)"
        case .notRegularFile(let path):
            "\(path) is not a regular file"
        case .insecureMode(let path, let mode):
            "\(path) has mode \(SecretFileError.octal(mode)), expected 0600 (readable by its owner only): chmod 0600 \(path)"
        case .tooShort(let path, let size, let minimum):
            "\(path) holds \(size) bytes, at least \(minimum) random bytes are needed (hactl keygen writes a good one)"
        case .tooLarge(let path, let size, let maximum):
            "\(path) holds \(size) bytes, at most \(maximum) are allowed"
        case .notRandom(let path):
            "\(path) does not look random (too few distinct bytes): make a new key with hactl keygen"
        case .untrusted(_, let reason):
            reason
        }
    }

    public static func octal(_ mode: UInt32) -> String {
        let text = String(mode & 0o7777, radix: 8)
        return String(repeating: "0", count: max(0, 4 - text.count)) + text
    }
}
