import ClusterHost
import ClusterCore
import FoundationEssentials
import Glibc

/// Writes command results: JSON for `--json`, text otherwise.
enum Output {
    /// One compact JSON object per line (so `events --follow --json` is JSON Lines).
    static func json(_ value: some Encodable) {
        let encoder = ControlProtocol.makeEncoder()
        guard let data = try? encoder.encode(value) else {
            write("hactl: could not encode the JSON output\n", to: STDERR_FILENO)
            return
        }
        Syscall.writeAll(Array(data) + [0x0A], to: STDOUT_FILENO)
    }

    static func text(_ text: String) {
        write(text.hasSuffix("\n") ? text : text + "\n", to: STDOUT_FILENO)
    }

    static func warning(_ text: String) {
        write("hactl: \(text)\n", to: STDERR_FILENO)
    }

    /// Writes all of `text` to the descriptor at once, unbuffered (so output to stdout and
    /// stderr keeps its order); a closed pipe or a full disk ends the output silently.
    static func write(_ text: String, to descriptor: Int32) {
        Syscall.writeAll(Array(text.utf8), to: descriptor)
    }
}
