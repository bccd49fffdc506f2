@testable import ClusterHost
@testable import ClusterNode
import CoreTestSupport
import Foundation
import Testing
@testable import ClusterCore

/// The key file on a real file system: modes, sizes, types.
@Suite struct ConfigClusterKeyTests {
    @Test func loadsAGeneratedKey() throws {
        let dir = try ConfigFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("authkey")
        let bytes = ConfigFixtures.randomBytes(ClusterKey.generatedLength)
        try ConfigFixtures.write(bytes, to: path, mode: 0o600)
        let key = try ClusterKey.load(path: path.path)
        #expect(key.bytes == bytes)
        #expect("\(key)" == "ClusterKey(64 bytes)")
        // Owner-read-only is at least as safe as 0600.
        try FileManager.default.setAttributes([.posixPermissions: 0o400], ofItemAtPath: path.path)
        #expect(try ClusterKey.load(path: path.path).bytes == bytes)
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o660, 0o707, 0o620, 0o602])
    func refusesModesOtherThanOwnerOnly(mode: Int) throws {
        let dir = try ConfigFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("authkey")
        try ConfigFixtures.write(ConfigFixtures.randomBytes(64), to: path, mode: mode)
        #expect(throws: SecretFileError.insecureMode(path: path.path, mode: UInt32(mode))) {
            try ClusterKey.load(path: path.path)
        }
    }

    @Test func refusesMissingFilesDirectoriesAndFifos() throws {
        let dir = try ConfigFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("nope").path
        #expect(throws: SecretFileError.missing(path: missing)) { try ClusterKey.load(path: missing) }
        let sub = dir.appendingPathComponent("sub")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: false)
        #expect(throws: SecretFileError.notRegularFile(path: sub.path)) { try ClusterKey.load(path: sub.path) }
        let fifo = dir.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        // Must not block waiting for a writer.
        #expect(throws: SecretFileError.notRegularFile(path: fifo)) { try ClusterKey.load(path: fifo) }
        #expect(throws: SecretFileError.notRegularFile(path: "/dev/null")) { try SecretFile.check(path: "/dev/null") }
    }

    @Test func refusesKeysOfTheWrongSizeOrNotRandom() throws {
        let dir = try ConfigFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("authkey")
        try ConfigFixtures.write(ConfigFixtures.randomBytes(31), to: path, mode: 0o600)
        #expect(throws: SecretFileError.tooShort(path: path.path, size: 31, minimum: 32)) { try ClusterKey.load(path: path.path) }
        try ConfigFixtures.write([], to: path, mode: 0o600)
        #expect(throws: SecretFileError.tooShort(path: path.path, size: 0, minimum: 32)) { try ClusterKey.load(path: path.path) }
        try ConfigFixtures.write(ConfigFixtures.randomBytes(4097), to: path, mode: 0o600)
        #expect(throws: SecretFileError.tooLarge(path: path.path, size: 4097, maximum: 4096)) { try ClusterKey.load(path: path.path) }
        try ConfigFixtures.write(ConfigFixtures.randomBytes(4096), to: path, mode: 0o600)
        #expect(try ClusterKey.load(path: path.path).bytes.count == 4096)
        try ConfigFixtures.write([UInt8](repeating: 0, count: 64), to: path, mode: 0o600)
        #expect(throws: SecretFileError.notRandom(path: path.path)) { try ClusterKey.load(path: path.path) }
        try ConfigFixtures.write(Array("correct horse battery staple!!!!\n".utf8), to: path, mode: 0o600)
        #expect(throws: SecretFileError.notRandom(path: path.path)) { try ClusterKey.load(path: path.path) }
    }

    @Test func messagesSayHowToFixIt() {
        #expect(SecretFileError.insecureMode(path: "/etc/hacluster/authkey", mode: 0o644).description
                == "/etc/hacluster/authkey has mode 0644, expected 0600 (readable by its owner only): chmod 0600 /etc/hacluster/authkey")
        #expect(SecretFileError.tooShort(path: "/k", size: 5, minimum: 32).description.contains("hactl keygen"))
        let error = ConfigError.secretFile(ConfigLocation(file: "/etc/hacluster/haclusterd.toml", keyPath: "cluster.key_file", line: 3),
                                           .missing(path: "/etc/hacluster/authkey"))
        #expect("\(error)" == "/etc/hacluster/haclusterd.toml:3: cluster.key_file: /etc/hacluster/authkey does not exist")
    }
}
