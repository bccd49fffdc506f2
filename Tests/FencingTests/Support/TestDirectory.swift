import Foundation
import Glibc

/// A root-owned 0755 temporary directory (the permissions `AgentExecutable` accepts
/// for an `agent_dir`), removed by `remove()`.
struct TestDirectory {
    let path: String

    init(_ tag: String) throws {
        var template = Array("/tmp/hacluster-fencing-\(tag)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        path = String(cString: made)
        chmod(path, 0o755)
    }

    func file(_ name: String) -> String { path + "/" + name }

    @discardableResult
    func write(_ name: String, _ contents: String, mode: mode_t = 0o644) throws -> String {
        // O_CLOEXEC: an agent spawned meanwhile by another test must not inherit the
        // write descriptor, or running this file fails with ETXTBSY.
        let target = file(name)
        let fd = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { _ = Glibc.close(fd) }
        let bytes = Array(contents.utf8)
        guard Glibc.write(fd, bytes, bytes.count) == bytes.count else { throw POSIXError(.EIO) }
        fchmod(fd, mode)
        return target
    }

    func read(_ name: String) -> String? {
        try? String(contentsOfFile: file(name), encoding: .utf8)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Waits (bounded) until `condition` holds; returns whether it did.
func eventually(within timeout: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}
