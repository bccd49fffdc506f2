import ClusterCore
import Crypto
import FoundationEssentials
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// One small value stored durably in one file, replaced atomically.
///
/// Save: write `<file>.tmp`, fsync it, rename it over `<file>`, fsync the
/// directory. After `save` returns, the new value survives a crash; if the
/// process dies before the rename, the old file is intact and the stale temp
/// file is ignored (and replaced by the next save).
///
/// File format (text header line, then the JSON body):
/// ```
/// haclusterd-<kind> v1 sha256=<64 hex digits of the body> length=<body bytes>
/// {"...": ...}
/// ```
/// A file that does not match (truncated, bit rot, edited by hand) is
/// `StateStoreError.corrupt`, never silently replaced by a default.
public struct StateFile<Value: Codable & Sendable>: Sendable {
    public static var formatVersion: String { "v1" }

    public let path: String
    public let kind: String

    public var directory: String {
        let parent = FilePath(path).removingLastComponent().string
        return parent.isEmpty ? "." : parent
    }

    public var temporaryPath: String { path + ".tmp" }

    /// - Parameters:
    ///   - path: the file, e.g. `/var/lib/hacluster/state`.
    ///   - kind: names the content in the header (`state`, `incarnation`), so
    ///     one kind of file is never read as another.
    public init(path: String, kind: String) {
        precondition(!kind.contains(" ") && !kind.isEmpty, "kind must be one word")
        self.path = path
        self.kind = kind
    }

    /// The stored value, or nil if the file does not exist (a node that never saved).
    public func load() throws(StateStoreError) -> Value? {
        let contents: [UInt8]
        do {
            contents = try readFile()
        } catch where error.errno == ENOENT {
            return nil
        } catch {
            throw .io(path: path, operation: error.call, errno: error.errno)
        }
        guard let newline = contents.firstIndex(of: UInt8(ascii: "\n")) else {
            throw .corrupt(path: path, reason: contents.isEmpty ? "the file is empty" : "no header line")
        }
        guard let header = String(validating: contents[..<newline], as: UTF8.self) else {
            throw .corrupt(path: path, reason: "the header line is not text")
        }
        let fields = header.split(separator: " ").map(String.init)
        guard fields.count == 4, fields[0] == "haclusterd-\(kind)",
              fields[2].hasPrefix("sha256="), fields[3].hasPrefix("length=")
        else {
            throw .corrupt(path: path, reason: "unexpected header '\(header.prefix(80))', expected 'haclusterd-\(kind) \(Self.formatVersion) sha256=... length=...'")
        }
        guard fields[1] == Self.formatVersion else {
            throw .unsupportedFormat(path: path, found: fields[1], expected: Self.formatVersion)
        }
        let body = Array(contents[(newline + 1)...])
        guard let length = Int(fields[3].dropFirst("length=".count)), length == body.count else {
            throw .corrupt(path: path, reason: "header says \(fields[3]), the body has \(body.count) bytes (truncated?)")
        }
        guard String(fields[2].dropFirst("sha256=".count)) == Self.hex(SHA256.hash(data: body)) else {
            throw .corrupt(path: path, reason: "checksum mismatch")
        }
        do {
            return try JSONDecoder().decode(Value.self, from: Data(body))
        } catch {
            throw .corrupt(path: path, reason: "the body does not decode: \(error)")
        }
    }

    /// Durably replaces the stored value. When this throws, the file holds the
    /// previous value (or nothing) and the caller must not act on `value`.
    public func save(_ value: Value) throws(StateStoreError) {
        let body: [UInt8]
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            body = Array(try encoder.encode(value))
        } catch {
            // The persisted types encode to JSON by construction.
            fatalError("encoding \(Value.self) failed: \(error)")
        }
        let header = "haclusterd-\(kind) \(Self.formatVersion) sha256=\(Self.hex(SHA256.hash(data: body))) length=\(body.count)\n"
        let contents = Array(header.utf8) + body

        let fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io(path: temporaryPath, operation: "open", errno: errno) }
        var closed = false
        defer { if !closed { close(fd) } }
        try writeAll(fd, contents)
        guard fsync(fd) == 0 else { throw .io(path: temporaryPath, operation: "fsync", errno: errno) }
        closed = true
        guard close(fd) == 0 else { throw .io(path: temporaryPath, operation: "close", errno: errno) }
        guard rename(temporaryPath, path) == 0 else { throw .io(path: path, operation: "rename", errno: errno) }
        try syncDirectory()
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(StateStoreError) {
        var written = 0
        while written < bytes.count {
            do {
                written += try Syscall.call("write") {
                    bytes.withUnsafeBytes { buffer in write(fd, buffer.baseAddress! + written, buffer.count - written) }
                }
            } catch {
                throw .io(path: temporaryPath, operation: error.call, errno: error.errno)
            }
        }
    }

    private func syncDirectory() throws(StateStoreError) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(path: directory, operation: "open directory", errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .io(path: directory, operation: "fsync directory", errno: errno) }
    }

    private func readFile() throws(SystemCallError) -> [UInt8] {
        let fd = try Syscall.call("open") { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        var contents: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = try Syscall.call("read") { buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) } }
            if count == 0 { return contents }
            contents.append(contentsOf: buffer[0..<count])
            // State files are small; a huge file is not ours.
            if contents.count > 16 << 20 { return contents }
        }
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        HexText.bytes(digest)
    }
}
