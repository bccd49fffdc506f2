import ClusterCore
import Glibc

/// Interim: binds and listens on the control socket (mode 0660, group
/// `haclient` when it exists) until the control server speaks the protocol.
/// Refuses to start when another daemon answers on the same path; removes a
/// stale socket file left by a crashed one.
final class ControlSocketListener: Sendable {
    let path: String
    let fd: Int32

    init(path: String) throws(DaemonError) {
        self.path = path
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        if !directory.isEmpty { try Self.makeDirectory(directory) }
        if Self.somebodyListens(at: path) {
            throw .controlSocket(path: path, reason: "another haclusterd is listening on it")
        }
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .controlSocket(path: path, reason: String(cString: strerror(errno))) }
        do throws(DaemonError) {
            try Self.withAddress(path) { address, length throws(DaemonError) in
                guard bind(fd, address, length) == 0 else {
                    throw .controlSocket(path: path, reason: "bind: \(String(cString: strerror(errno)))")
                }
            }
            guard listen(fd, 64) == 0 else {
                throw .controlSocket(path: path, reason: "listen: \(String(cString: strerror(errno)))")
            }
            if let group = ControlGroup.id() { _ = chown(path, 0, group) }
            guard chmod(path, 0o660) == 0 else {
                throw .controlSocket(path: path, reason: "chmod 0660: \(String(cString: strerror(errno)))")
            }
        } catch {
            Glibc.close(fd)
            throw error
        }
        self.fd = fd
    }

    /// Closes the socket and removes its file.
    func close() {
        Glibc.close(fd)
        unlink(path)
    }

    static func makeDirectory(_ path: String) throws(DaemonError) {
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw .directory(path: prefix, purpose: "control socket directory", errno: errno)
            }
        }
    }

    static func somebodyListens(at path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd) }
        return (try? withAddress(path) { address, length in connect(fd, address, length) == 0 }) ?? false
    }

    static func withAddress<T>(
        _ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) throws(DaemonError) -> T
    ) throws(DaemonError) -> T {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else {
            throw .controlSocket(path: path, reason: "path longer than \(capacity - 1) bytes")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return try withUnsafePointer(to: &address) { pointer throws(DaemonError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw throws(DaemonError) in
                try body(raw, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
    }

    /// The `haclient` group, if it exists on this machine.
    enum ControlGroup {
        static func id() -> gid_t? {
            var entry = group()
            var result: UnsafeMutablePointer<group>?
            var buffer = [CChar](repeating: 0, count: 16384)
            guard getgrnam_r("haclient", &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
            return entry.gr_gid
        }
    }
}
