import ClusterHost
import ClusterCore
import Foundation

/// Writes command results: JSON for `--json`, text otherwise.
enum Output {
    /// One compact JSON object per line (so `events --follow --json` is JSON Lines).
    static func json(_ value: some Encodable) {
        let encoder = ControlProtocol.makeEncoder()
        guard let data = try? encoder.encode(value) else {
            FileHandle.standardError.write(Data("hactl: could not encode the JSON output\n".utf8))
            return
        }
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    static func text(_ text: String) {
        FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    static func warning(_ text: String) {
        FileHandle.standardError.write(Data("hactl: \(text)\n".utf8))
    }
}
