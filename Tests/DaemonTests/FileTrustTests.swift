import ClusterCore
import ClusterHost
import ControlTestSupport
import Foundation
import Glibc
import Testing

/// The files the daemon trusts (cluster key, password files, the configuration) may be
/// changed by root only: owner and directory, with a real unprivileged user.
@Suite("file trust", .serialized)
struct FileTrustTests {
    func keyFile(in directory: String, mode: mode_t = 0o600) throws -> String {
        let path = directory + "/authkey"
        let bytes = (0..<64).map { _ in UInt8.random(in: 0...255) }
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        chmod(path, mode)
        return path
    }

    @Test("a key owned by another user is refused, saying how to fix it")
    func ownedByAnotherUser() throws {
        let directory = TemporaryDirectory("trust-owner")
        let user = try TestUser("trust")
        let path = try keyFile(in: directory.path)
        #expect(chown(path, user.uid, user.gid) == 0)
        #expect(throws: SecretFileError.untrusted(path: path, reason: "\(path) is owned by uid \(user.uid), expected root: chown root \(path)")) {
            try ClusterKey.load(path: path)
        }
        #expect(chown(path, 0, 0) == 0)
        #expect(throws: Never.self) { try ClusterKey.load(path: path) }
    }

    @Test("a key in a directory others may write is refused; a sticky one (/tmp) is fine")
    func directoryOthersMayWrite() throws {
        let directory = TemporaryDirectory("trust-dir")
        let path = try keyFile(in: directory.path)
        chmod(directory.path, 0o777)
        do {
            _ = try ClusterKey.load(path: path)
            Issue.record("a key in a 0777 directory was accepted")
        } catch {
            #expect("\(error)".contains("is in \(directory.path), mode 0777: group or others could replace it"), "\(error)")
        }
        chmod(directory.path, 0o1777)
        #expect(throws: Never.self) { try ClusterKey.load(path: path) }
        chmod(directory.path, 0o700)
    }

    @Test("a configuration file owned by another user: haclusterd --check-config exits 2 naming it")
    func configurationOwnedByAnotherUser() throws {
        let binary = try ConfigExitStatusTests.daemonWithCheckConfig()
        let directory = TemporaryDirectory("trust-config")
        chmod(directory.path, 0o755)
        let user = try TestUser("trustcfg")
        let file = directory.path + "/haclusterd.toml"
        try String(contentsOf: ConfigExitStatusTests.example, encoding: .utf8).write(toFile: file, atomically: false, encoding: .utf8)
        #expect(chown(file, user.uid, user.gid) == 0)
        let result = try ConfigExitStatusTests.run(binary, ["--check-config", "--config", file])
        #expect(result.status == 2, "stdout: \(result.output)\nstderr: \(result.errorOutput)")
        #expect(result.errorOutput.contains("\(file) is owned by uid \(user.uid), expected root"), "stderr: \(result.errorOutput)")
    }
}
