import ClusterCore
import FoundationEssentials

/// One line of /proc/self/mountinfo: where a filesystem is mounted, its type and options.
public struct MountEntry: Sendable, Equatable {
    public var mountPoint: String
    public var filesystem: String
    public var source: String
    /// Per-mount and per-superblock options together (`rw`, `local_lock=none`, `vers=4.2`, ...).
    public var options: [String]

    public init(mountPoint: String, filesystem: String, source: String, options: [String]) {
        self.mountPoint = mountPoint
        self.filesystem = filesystem
        self.source = source
        self.options = options
    }

    /// Parses mountinfo text (see proc(5)); lines it cannot read are skipped.
    public static func parse(mountinfo text: String) -> [MountEntry] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 10, let dash = fields.firstIndex(of: "-"), dash >= 6, dash + 2 < fields.count else { return nil }
            let mountOptions = fields[5].split(separator: ",").map(String.init)
            let superOptions = dash + 3 < fields.count ? fields[dash + 3].split(separator: ",").map(String.init) : []
            return MountEntry(
                mountPoint: unescape(fields[4]), filesystem: fields[dash + 1], source: unescape(fields[dash + 2]),
                options: mountOptions + superOptions)
        }
    }

    /// The mount that holds `path` (the longest mount point that is a prefix of its real path).
    public static func containing(_ path: String, mountinfo: String? = nil) -> MountEntry? {
        let text = mountinfo ?? ((try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? "")
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let matches = parse(mountinfo: text).filter {
            $0.mountPoint == "/" || resolved == $0.mountPoint || resolved.hasPrefix($0.mountPoint + "/")
        }
        guard let longest = matches.map(\.mountPoint.count).max() else { return nil }
        // mountinfo lists mounts in mount order: the last one on the longest prefix is the visible one.
        return matches.last { $0.mountPoint.count == longest }
    }

    public var isNFS: Bool { filesystem == "nfs" || filesystem == "nfs4" }

    /// The value of a `key=value` option (`timeo`, `retrans`, `vers`), nil when absent.
    public func option(_ key: String) -> String? {
        options.first { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
    }

    private static func unescape(_ field: String) -> String {
        // mountinfo escapes space, tab, newline and backslash as \ooo.
        var iterator = Array(field.utf8)[...]
        var bytes: [UInt8] = []
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "\\"), iterator.count >= 3,
               let value = UInt8(String(decoding: iterator.prefix(3), as: UTF8.self), radix: 8) {
                bytes.append(value)
                iterator = iterator.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
