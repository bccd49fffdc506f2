import ClusterCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads and checks files that hold secrets: they must be regular files that only their owner can access.
///
/// The checks are made on the opened descriptor (`fstat`), so what is checked is what is read.
public enum SecretFile {
    /// Checks `path` without reading it: exists, regular file, no group/other permission bits, owner-readable.
    public static func check(path: String) throws(SecretFileError) {
        let fd = try open(path)
        defer { close(fd) }
        _ = try inspect(fd: fd, path: path)
    }

    /// Checks `path` like `check(path:)` and returns its contents, whose size must be in `allowedSize`.
    public static func read(path: String, allowedSize: ClosedRange<Int>) throws(SecretFileError) -> [UInt8] {
        let fd = try open(path)
        defer { close(fd) }
        let size = try inspect(fd: fd, path: path)
        guard size >= allowedSize.lowerBound else {
            throw .tooShort(path: path, size: size, minimum: allowedSize.lowerBound)
        }
        guard size <= allowedSize.upperBound else {
            throw .tooLarge(path: path, size: size, maximum: allowedSize.upperBound)
        }
        // Read one byte more than allowed, so a file that grew since fstat is caught too.
        var buffer = [UInt8](repeating: 0, count: allowedSize.upperBound + 1)
        var filled = 0
        while filled < buffer.count {
            let n = Syscall.retryingEINTR {
                buffer.withUnsafeMutableBytes { raw in Glibc.read(fd, raw.baseAddress! + filled, raw.count - filled) }
            }
            guard n >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
            if n == 0 { break }
            filled += n
        }
        guard filled >= allowedSize.lowerBound else {
            throw .tooShort(path: path, size: filled, minimum: allowedSize.lowerBound)
        }
        guard filled <= allowedSize.upperBound else {
            throw .tooLarge(path: path, size: filled, maximum: allowedSize.upperBound)
        }
        return Array(buffer.prefix(filled))
    }

    private static func open(_ path: String) throws(SecretFileError) -> Int32 {
        // O_NONBLOCK: opening a FIFO must not hang the daemon; it is refused below as not a regular file.
        let fd = Syscall.retryingEINTR { Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY) }
        if fd >= 0 { return fd }
        let code = errno
        if code == ENOENT || code == ENOTDIR { throw .missing(path: path) }
        throw .unreadable(path: path, reason: String(cString: strerror(code)))
    }

    /// Returns the file size.
    private static func inspect(fd: Int32, path: String) throws(SecretFileError) -> Int {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .notRegularFile(path: path) }
        let mode = UInt32(info.st_mode) & 0o7777
        guard mode & 0o077 == 0, mode & 0o400 != 0 else { throw .insecureMode(path: path, mode: mode) }
        if let problem = FileTrust.problem(path: path) { throw .untrusted(path: path, reason: problem) }
        return Int(info.st_size)
    }
}
