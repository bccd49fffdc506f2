import Foundation

/// Where the tests find the repository and the built binaries.
enum DaemonTestPaths {
    /// The package root (this file is Tests/DaemonTests/DaemonTestPaths.swift).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The built `haclusterd`: `HACLUSTERD_BINARY` if set, else next to the test
    /// bundle (the same build), else `.build/debug/haclusterd`.
    static var daemonBinary: String {
        binary(named: "haclusterd", override: "HACLUSTERD_BINARY")
    }

    static var hactlBinary: String {
        binary(named: "hactl", override: "HACTL_BINARY")
    }

    static func binary(named name: String, override: String) -> String {
        if let path = ProcessInfo.processInfo.environment[override], !path.isEmpty { return path }
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for directory in [bundleDirectory, bundleDirectory.deletingLastPathComponent()] {
            let candidate = directory.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return packageRoot.appendingPathComponent(".build/debug/\(name)").path
    }

    /// `scripts/testlib/user-manager.sh`.
    static var userManagerScript: String {
        packageRoot.appendingPathComponent("scripts/testlib/user-manager.sh").path
    }

    /// The unit shipped in `etc/`.
    static var shippedUnit: String {
        packageRoot.appendingPathComponent("etc/haclusterd.service").path
    }

    /// A fresh directory under /tmp (short: socket paths are limited to 107 bytes).
    static func makeScratchDirectory(tag: String) throws -> URL {
        var template = Array("/tmp/hacd-\(tag).XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: "/tmp/hacd-\(tag).XXXXXX"])
        }
        return URL(fileURLWithPath: String(cString: made))
    }
}
