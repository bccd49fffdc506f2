import ClusterCore
import ClusterHost
internal import CLinux
import FoundationEssentials
import Glibc

/// What a daemon that re-executes itself in place (`systemctl reload`, SIGHUP) hands to its
/// next image, which then goes on as the same member of the cluster holding the same things:
/// the runtime's state (election role, lease, acknowledgements, wire session), what the
/// takeover sequence holds, the storage lock's descriptor and the recent events.
///
/// It travels as JSON in an anonymous memory file (memfd) whose descriptor number is in
/// `HACLUSTERD_HANDOVER_FD`; the storage lock's descriptor number is in
/// `HACLUSTERD_HANDOVER_LOCK_FD` (separately, so that even an unreadable hand-over lets the
/// next image close it and so drop the lock). Only these two descriptors lose FD_CLOEXEC.
struct DaemonHandover: Codable, Sendable {
    static let formatVersion = 1
    static let fdVariable = "HACLUSTERD_HANDOVER_FD"
    static let lockFDVariable = "HACLUSTERD_HANDOVER_LOCK_FD"

    var version = formatVersion
    var runtime: RuntimeHandover
    var takeover: TakeoverHandover
    var events: [ClusterEvent]
    /// The binary executed, and the previous image's start of the re-execution (for the log).
    var binary: String
    var trigger: String

    /// Writes the hand-over to a memfd, sets the environment variables and returns the memfd.
    func export(lockDescriptor: Int32?) throws -> Int32 {
        let data = try JSONEncoder().encode(self)
        let fd = hacd_memfd_create("haclusterd-handover", 0)
        guard fd >= 0 else { throw HandoverError.system(call: "memfd_create", errno: errno) }
        var offset = 0
        while offset < data.count {
            let written = data.withUnsafeBytes { buffer in
                write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(fd)
                throw HandoverError.system(call: "write", errno: code)
            }
            offset += written
        }
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw HandoverError.system(call: "lseek", errno: errno) }
        setenv(Self.fdVariable, String(fd), 1)
        if let lockDescriptor {
            setenv(Self.lockFDVariable, String(lockDescriptor), 1)
        } else {
            unsetenv(Self.lockFDVariable)
        }
        return fd
    }

    /// The storage lock's descriptor the previous image passed, if any.
    static func lockDescriptor(environment: [String: String]) -> Int32? {
        environment[lockFDVariable].flatMap { Int32($0) }.flatMap { $0 > 2 ? $0 : nil }
    }

    /// What the previous image left, if this process is a re-execution. Reads and closes the
    /// memfd and removes the variables (children must not see them).
    static func take(environment: [String: String]) -> (handover: Result<DaemonHandover, HandoverError>, lockDescriptor: Int32?)? {
        guard let text = environment[fdVariable] else { return nil }
        unsetenv(fdVariable)
        let lockDescriptor = environment[lockFDVariable].flatMap { Int32($0) }
        unsetenv(lockFDVariable)
        guard let fd = Int32(text), fd > 2 else {
            return (.failure(.malformed("\(fdVariable)=\(text) is not a descriptor")), lockDescriptor)
        }
        defer { close(fd) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                return (.failure(.system(call: "read", errno: errno)), lockDescriptor)
            }
            if count == 0 { break }
            data.append(contentsOf: buffer[0..<count])
        }
        do {
            let handover = try JSONDecoder().decode(DaemonHandover.self, from: data)
            guard handover.version == formatVersion else {
                return (.failure(.malformed("format version \(handover.version), this binary reads \(formatVersion)")), lockDescriptor)
            }
            return (.success(handover), lockDescriptor)
        } catch {
            return (.failure(.malformed("\(error)")), lockDescriptor)
        }
    }
}

enum HandoverError: Error, CustomStringConvertible {
    case system(call: String, errno: Int32)
    case malformed(String)

    var description: String {
        switch self {
        case let .system(call, code): "\(call): \(String(cString: strerror(code)))"
        case let .malformed(reason): "unreadable hand-over: \(reason)"
        }
    }
}
