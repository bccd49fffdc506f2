import Foundation
import Glibc

/// Looks at processes through /proc, for assertions about agents and their children.
enum ProcessProbe {
    /// True while `pid` exists and is not a zombie (a killed process nobody reaped yet is dead).
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        guard let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(close, offsetBy: 2)]
        return state != "Z" && state != "X"
    }

    /// The NUL-separated entries of /proc/PID/environ (nil when unreadable).
    static func environment(of pid: Int32) -> [String]? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return nil }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// PIDs whose command line contains `needle`.
    static func commandLinesContaining(_ needle: String) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        let bytes = Array(needle.utf8)
        return entries.compactMap(Int32.init).filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return Array(data).firstRange(of: bytes) != nil
        }
    }
}
