import ClusterNode
import ClusterHost
import CoreTestSupport
import ClusterCore
import ControlTestSupport
import Foundation
import Glibc

// Support for the tests that run the built hactl binary against a real ControlServer.

/// The built `hactl` (swift build puts it next to the test bundle).
let hactlBinary: String = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return root.appendingPathComponent(".build/debug/hactl").path
}()

enum HactlFixtures {
    static let status = ControlFixtures.specStatus
}

/// Runs `hactl` with arguments, off the cooperative pool.
func hactl(_ arguments: [String], input: String? = nil, as prefix: [String] = []) async throws -> (status: Int32, stdout: String, stderr: String) {
    guard FileManager.default.isExecutableFile(atPath: hactlBinary) else { throw HactlNotBuilt(path: hactlBinary) }
    return try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try runProcess(prefix + [hactlBinary] + arguments, input: input) })
        }
    }
}

/// The tests run the real binary: `swift build --build-tests` (or `swift build --product hactl`) first.
struct HactlNotBuilt: Error, CustomStringConvertible {
    var path: String
    var description: String { "no hactl binary at \(path): run `swift build --build-tests` first" }
}

/// A ControlServer on a temporary socket for the duration of `body`.
func withControlServer<T>(
    _ handler: FakeControlHandler = FakeControlHandler(), mode: mode_t = 0o660,
    _ body: (String) async throws -> T
) async throws -> T {
    let directory = TemporaryDirectory("hactl")
    let path = directory.path + "/control.sock"
    let server = try await ControlServer.bind(path: path, handler: handler, mode: mode)
    let serving = Task { try await server.run() }
    defer { server.close() }
    let result = try await body(path)
    server.close()
    _ = try? await serving.value
    return result
}

