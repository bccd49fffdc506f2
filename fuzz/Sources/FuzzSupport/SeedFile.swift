import Foundation

/// Writes one seed input of a target's corpus (`FUZZ_WRITE_SEEDS=DIR <target>`); a seed
/// that cannot be written ends the process with status 1 and the path on stderr.
public enum SeedFile {
    public static func write(_ bytes: some Sequence<UInt8>, to directory: String, name: String) {
        let url = URL(fileURLWithPath: directory).appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        } catch {
            FileHandle.standardError.write(Data("cannot write \(url.path): \(error)\n".utf8))
            exit(1)
        }
    }
}
