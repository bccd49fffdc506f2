import ClusterCore
import ClusterHost
import ControlTestSupport
import Foundation
import Glibc
import Testing

/// The cross-node storage probe runs as root for any member of the control group: it may
/// look only at check-storage's scratch files in the configured storage, never through a
/// symlink, never block on a FIFO, never read more than a marker's worth.
@Suite("storage probe safety")
struct StorageProbeSafetyTests {
    static let prefix = StoragePeerProbe.scratchPrefix

    @Test("only the configured storage path and check-storage's scratch names are accepted")
    func refusals() {
        func probe(_ path: String, marker: String? = nil, lock: String? = nil) -> StoragePeerProbe {
            StoragePeerProbe(node: "dss2", path: path, markerFile: marker, token: marker == nil ? nil : "t", lockFile: lock)
        }
        #expect(probe("/dataiku", marker: Self.prefix + "dss1-x-marker", lock: Self.prefix + "dss1-x-marker").refusal(storagePath: "/dataiku") == nil)
        #expect(probe("/dataiku/").refusal(storagePath: "/dataiku") == nil)
        #expect(probe("/dataiku/sub").refusal(storagePath: "/dataiku") == nil)
        for path in ["/etc", "/", "/dataiku/../etc", "/dataiku/./x", "dataiku", "/dataiku2"] {
            let refusal = probe(path).refusal(storagePath: "/dataiku")
            #expect(refusal?.contains("only the configured storage path /dataiku") == true, "\(path): \(String(describing: refusal))")
        }
        for name in ["/etc/shadow", "../../etc/shadow", "marker", Self.prefix + "a/b", "/dev/zero"] {
            #expect(probe("/dataiku", marker: name).refusal(storagePath: "/dataiku")?.contains("not a check-storage scratch file") == true, "\(name)")
            #expect(probe("/dataiku", lock: name).refusal(storagePath: "/dataiku") != nil, "\(name)")
        }
    }

    @Test("a FIFO, a symlink or a device at a scratch name is neither read nor locked, and nothing blocks")
    func oddFilesAreRefused() async throws {
        let directory = TemporaryDirectory("probe-safety")
        let secret = directory.path + "/outside-secret"
        FileManager.default.createFile(atPath: secret, contents: Data("tok3n\n".utf8))
        let fifo = Self.prefix + "fifo"
        let link = Self.prefix + "link"
        #expect(mkfifo(directory.path + "/" + fifo, 0o644) == 0)
        #expect(symlink(secret, directory.path + "/" + link) == 0)

        let throughFIFO = StoragePeerProbe(node: "dss2", path: directory.path, markerFile: fifo, token: "tok3n", lockFile: fifo)
        let report = try #require(await throughFIFO.runBounded(localNode: "dss2", timeout: .seconds(5)), "the probe blocked on a FIFO")
        #expect(report.markerMatches == false)
        #expect(report.lock == .failed("\(directory.path)/\(fifo) is not a regular file"))

        let throughLink = StoragePeerProbe(node: "dss2", path: directory.path, markerFile: link, token: "tok3n", lockFile: link)
        let linked = try #require(await throughLink.runBounded(localNode: "dss2", timeout: .seconds(5)))
        #expect(linked.markerMatches == false, "a symlink to a file holding the token must not be followed")
        if case .failed(let reason) = linked.lock { #expect(reason.contains("ELOOP") || reason.contains("symbolic links"), "\(reason)") }
        else { Issue.record("a symlink was locked: \(String(describing: linked.lock))") }

        // A genuine marker still matches.
        let marker = Self.prefix + "marker"
        FileManager.default.createFile(atPath: directory.path + "/" + marker, contents: Data("tok3n\n".utf8))
        let genuine = try #require(await StoragePeerProbe(node: "dss2", path: directory.path, markerFile: marker, token: "tok3n", lockFile: marker)
            .runBounded(localNode: "dss2", timeout: .seconds(5)))
        #expect(genuine.markerMatches == true && genuine.lock == .acquired)
    }
}
