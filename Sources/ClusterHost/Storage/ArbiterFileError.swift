import ClusterCore

/// Why the arbiter file could not be opened, read or written. Every case names the file and
/// says what was being done, so a log line alone tells an operator where to look.
public enum ArbiterFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The directory that should hold the `.hacluster` directory does not exist (storage not mounted?).
    case storageMissing(file: String, directory: String)
    case cannotCreateDirectory(file: String, directory: String, errno: Int32)
    case cannotOpen(file: String, errno: Int32)
    case cannotResize(file: String, size: Int, errno: Int32)
    /// Block 0 is not this node's header (another cluster, key, release or node list).
    case header(file: String, ArbiterHeaderError)
    case readFailed(file: String, what: String, errno: Int32)
    /// The read ended early: the file is shorter than the layout (truncated by someone else).
    case shortRead(file: String, what: String, read: Int, expected: Int)
    case writeFailed(file: String, what: String, errno: Int32)
    /// The write made no progress (the storage accepted nothing and reported no error).
    case shortWrite(file: String, what: String, written: Int, expected: Int)
    /// A record that cannot be written (a node without a slot, a name too long).
    case record(file: String, ArbiterRecordError)
    /// Used after `close()`.
    case closed(file: String)

    public var file: String {
        switch self {
        case let .storageMissing(file, _), let .cannotCreateDirectory(file, _, _), let .cannotOpen(file, _),
             let .cannotResize(file, _, _), let .header(file, _), let .readFailed(file, _, _),
             let .shortRead(file, _, _, _), let .writeFailed(file, _, _), let .shortWrite(file, _, _, _),
             let .record(file, _), let .closed(file):
            file
        }
    }

    public var description: String {
        switch self {
        case let .storageMissing(file, directory):
            "\(file): the directory \(directory) does not exist (is the shared storage mounted?)"
        case let .cannotCreateDirectory(file, directory, code):
            "\(file): cannot create the directory \(directory): \(ErrnoName.describe(code))"
        case let .cannotOpen(file, code):
            "\(file): cannot open the arbiter file: \(ErrnoName.describe(code))"
        case let .cannotResize(file, size, code):
            "\(file): cannot extend the arbiter file to \(size) bytes: \(ErrnoName.describe(code))"
        case let .header(file, error):
            "\(file): \(error)"
        case let .readFailed(file, what, code):
            "\(file): read of \(what) failed: \(ErrnoName.describe(code))"
        case let .shortRead(file, what, read, expected):
            "\(file): read of \(what) returned \(read) of \(expected) bytes (the file is shorter than its layout: truncated?)"
        case let .writeFailed(file, what, code):
            "\(file): write of \(what) failed: \(ErrnoName.describe(code))"
        case let .shortWrite(file, what, written, expected):
            "\(file): write of \(what) stopped after \(written) of \(expected) bytes"
        case let .record(file, error):
            "\(file): \(error)"
        case let .closed(file):
            "\(file): the arbiter file was closed"
        }
    }
}
