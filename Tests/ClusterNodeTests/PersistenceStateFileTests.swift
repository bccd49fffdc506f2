@testable import ClusterHost
@testable import ClusterNode
import CoreTestSupport
import Foundation
import Testing
@testable import ClusterCore
#if canImport(Glibc)
import Glibc
#endif

/// The atomic state file against a real directory.
@Suite struct PersistenceStateFileTests {
    struct Sample: Codable, Sendable, Equatable {
        var term: UInt64
        var votedFor: String?
    }

    /// A fresh directory under the system temp dir, removed by the caller.
    static func makeDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/hacluster-state-test-XXXXXX").utf8CString)
        let path = template.withUnsafeMutableBufferPointer { buffer in mkdtemp(buffer.baseAddress!) }
        guard let path else { throw StateStoreError.io(path: "mkdtemp", operation: "mkdtemp", errno: errno) }
        return String(cString: path)
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    @Test func missingFileLoadsAsNothing() throws {
        let dir = try Self.makeDirectory()
        defer { Self.remove(dir) }
        #expect(try StateFile<Sample>(path: dir + "/state", kind: "state").load() == nil)
    }

    @Test func saveThenLoadRoundTripsAndLeavesNoTemporaryFile() throws {
        let dir = try Self.makeDirectory()
        defer { Self.remove(dir) }
        let file = StateFile<Sample>(path: dir + "/state", kind: "state")
        try file.save(Sample(term: 3, votedFor: "dss2"))
        try file.save(Sample(term: 4, votedFor: nil))
        #expect(try file.load() == Sample(term: 4, votedFor: nil))
        #expect(!FileManager.default.fileExists(atPath: file.temporaryPath))
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let text = try String(contentsOfFile: file.path, encoding: .utf8)
        #expect(text.hasPrefix("haclusterd-state v1 sha256="))
    }

    @Test func crashBetweenWriteAndRenameKeepsTheOldState() throws {
        let dir = try Self.makeDirectory()
        defer { Self.remove(dir) }
        let file = StateFile<Sample>(path: dir + "/state", kind: "state")
        try file.save(Sample(term: 5, votedFor: "dss1"))
        // What a crash after writing the temp file and before the rename leaves behind:
        // a complete new temp file, and a half-written one in the worst case.
        let other = StateFile<Sample>(path: file.temporaryPath, kind: "state")
        try other.save(Sample(term: 6, votedFor: "dss3"))
        #expect(try file.load() == Sample(term: 5, votedFor: "dss1"))
        try Data("haclusterd-state v1 sha256=00".utf8).write(to: URL(fileURLWithPath: file.temporaryPath))
        #expect(try file.load() == Sample(term: 5, votedFor: "dss1"))
        // The next save replaces the leftover.
        try file.save(Sample(term: 7, votedFor: nil))
        #expect(try file.load() == Sample(term: 7, votedFor: nil))
        #expect(!FileManager.default.fileExists(atPath: file.temporaryPath))
    }

    @Test func failedWriteThrowsNamingTheFileAndKeepsTheOldState() throws {
        let dir = try Self.makeDirectory()
        defer { Self.remove(dir) }
        let file = StateFile<Sample>(path: dir + "/state", kind: "state")
        try file.save(Sample(term: 1, votedFor: nil))
        // A directory where the temp file must go: open(O_WRONLY) fails with EISDIR (even for root).
        try FileManager.default.createDirectory(atPath: file.temporaryPath, withIntermediateDirectories: false)
        do {
            try file.save(Sample(term: 2, votedFor: "dss2"))
            Issue.record("save succeeded")
        } catch {
            #expect(error == .io(path: file.temporaryPath, operation: "open", errno: EISDIR))
            #expect(error.description.contains(file.temporaryPath))
        }
        #expect(try file.load() == Sample(term: 1, votedFor: nil))
    }

    @Test func missingDirectoryIsAnErrorOnSave() throws {
        let file = StateFile<Sample>(path: "/nonexistent-hacluster-dir/state", kind: "state")
        #expect(throws: StateStoreError.io(path: "/nonexistent-hacluster-dir/state.tmp", operation: "open", errno: ENOENT)) {
            try file.save(Sample(term: 1))
        }
    }

    @Test func corruptFilesAreErrorsNamingTheFile() throws {
        let dir = try Self.makeDirectory()
        defer { Self.remove(dir) }
        let file = StateFile<Sample>(path: dir + "/state", kind: "state")
        try file.save(Sample(term: 9, votedFor: "dss1"))
        let good = try Data(contentsOf: URL(fileURLWithPath: file.path))

        var damaged: [Data] = [Data()]
        // Truncated at every length.
        for length in 1..<good.count { damaged.append(good.prefix(length)) }
        // Every byte of the body changed.
        let bodyStart = good.firstIndex(of: UInt8(ascii: "\n"))! + 1
        for index in bodyStart..<good.count {
            var copy = good
            copy[index] ^= 0x01
            damaged.append(copy)
        }
        // Another kind of file, and garbage.
        damaged.append(Data("haclusterd-incarnation v1 sha256=ab length=1\n1".utf8))
        damaged.append(Data((0..<200).map { UInt8($0) }))

        for contents in damaged {
            try contents.write(to: URL(fileURLWithPath: file.path))
            do {
                let loaded = try file.load()
                Issue.record("damaged file (\(contents.count) bytes) loaded as \(String(describing: loaded))")
            } catch {
                guard case .corrupt(let path, _) = error else {
                    Issue.record("expected corrupt, got \(error)")
                    continue
                }
                #expect(path == file.path)
                #expect(error.description.contains(file.path) && error.description.contains("Refusing to start"))
            }
        }
    }

    @Test func newerFormatIsRefused() throws {
        let dir = try Self.makeDirectory()
        defer { Self.remove(dir) }
        let file = StateFile<Sample>(path: dir + "/state", kind: "state")
        try Data("haclusterd-state v2 sha256=00 length=2\n{}".utf8).write(to: URL(fileURLWithPath: file.path))
        #expect(throws: StateStoreError.unsupportedFormat(path: file.path, found: "v2", expected: "v1")) { try file.load() }
    }
}
