import Foundation
import Testing

/// `haclusterd --check-config` on bad files: exit status 2 and the key in stderr (SPEC: 2 = bad configuration).
/// Runs the built binary, so it checks the daemon's wiring of the loader, not only the loader.
@Suite struct ConfigExitStatusTests {
    /// The built `haclusterd` (`DaemonTestPaths.daemonBinary`). A missing binary, or one without
    /// `--check-config`, fails the test saying so: never a silent skip.
    static func daemonWithCheckConfig() throws -> URL {
        let path = DaemonTestPaths.daemonBinary
        try #require(FileManager.default.isExecutableFile(atPath: path),
                     "no built haclusterd at \(path): run swift build (or set HACLUSTERD_BINARY)")
        let binary = URL(fileURLWithPath: path)
        let help = try run(binary, ["--help"])
        try #require(help.output.contains("--check-config"),
                     "\(path) has no --check-config option; its --help says:\n\(help.output)\(help.errorOutput)")
        return binary
    }

    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("etc/haclusterd.toml")

    struct Run { var status: Int32; var output: String; var errorOutput: String }

    static func run(_ binary: URL, _ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Bounded: --check-config must answer quickly; a hang is killed and fails the test.
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { process.terminate(); process.waitUntilExit() }
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errorOutput = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return Run(status: process.terminationStatus, output: output, errorOutput: errorOutput)
    }

    /// Bad files made from the example in etc/, each broken in one key.
    static let cases: [(name: String, old: String, new: String, key: String)] = [
        ("duration in words", "start_timeout = \"600s\"", "start_timeout = \"10 minutes\"", "service.start_timeout"),
        ("witness with a priority", "role = \"witness\"", "role = \"witness\"\npriority = 10", "node[2].priority"),
        ("floating IP without prefix", "address = \"198.18.1.50/24\"", "address = \"198.18.1.50\"", "floating_ip[0].address"),
        ("failure timeout too short", "failure_timeout = \"1s\"", "failure_timeout = \"400ms\"", "cluster.failure_timeout"),
        ("unknown key", "migration_threshold = 3", "migration_treshold = 3", "service.migration_treshold"),
        ("duplicate node name", "name = \"dss2\"", "name = \"dss1\"", "node[1].name"),
    ]

    @Test(arguments: cases.map(\.name))
    func badConfigurationExitsWithStatus2(caseName: String) throws {
        let binary = try Self.daemonWithCheckConfig()
        let example = try String(contentsOf: Self.example, encoding: .utf8)
        let bad = try #require(Self.cases.first { $0.name == caseName })
        let range = try #require(example.range(of: bad.old), "the example no longer contains \(bad.old)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("haconfig-exit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("haclusterd.toml")
        try example.replacingCharacters(in: range, with: bad.new).write(to: file, atomically: true, encoding: .utf8)

        let result = try Self.run(binary, ["--check-config", "--config", file.path])
        #expect(result.status == 2, "stdout: \(result.output)\nstderr: \(result.errorOutput)")
        #expect(result.errorOutput.contains(bad.key), "stderr: \(result.errorOutput)")
        #expect(result.errorOutput.contains(file.path), "stderr: \(result.errorOutput)")
    }

    @Test func missingFileExitsWithStatus2() throws {
        let result = try Self.run(try Self.daemonWithCheckConfig(), ["--check-config", "--config", "/nonexistent/haclusterd.toml"])
        #expect(result.status == 2)
        #expect(result.errorOutput.contains("/nonexistent/haclusterd.toml"))
    }
}
