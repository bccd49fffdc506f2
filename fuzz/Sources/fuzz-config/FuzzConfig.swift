import ClusterCore
import Foundation

/// libFuzzer target for the configuration loader: the input, as UTF-8 text, goes through
/// `ConfigLoader.parse(toml:path:)` (TOML syntax, every key, the rules between keys) as
/// `haclusterd --check-config` and the daemon's start read it. Invalid UTF-8 is skipped (the
/// daemon reads the file as UTF-8 first). A configuration that loads also gets its warnings
/// and its digest computed. Errors are expected, and each must render as a message; a trap or
/// a sanitizer report is a finding. With FUZZ_VERBOSE set, the outcome of each input is printed
/// (to check that the seeds load).
enum FuzzConfig {
    static let verbose = ProcessInfo.processInfo.environment["FUZZ_VERBOSE"] != nil

    static func run(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count <= ConfigLoader.maximumFileSize,
              let text = String(validating: bytes, as: UTF8.self) else { return }
        do {
            let config = try ConfigLoader.parse(toml: text, path: "fuzz.toml")
            let warnings = ConfigLoader.warnings(for: config).map(\.description)
            let digest = ConfigDigest(config)
            if verbose { print("loaded: \(config.nodes.count) nodes, \(warnings.count) warnings, digest \(digest.sections.count) sections") }
        } catch {
            let message = error.description
            if verbose { print("refused: \(message)") }
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzConfig.run(UnsafeBufferPointer(start: data, count: size))
    return 0
}
