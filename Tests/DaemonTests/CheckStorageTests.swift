import ClusterNode
@testable import hactl
import ClusterHost
import ClusterCore
import Foundation
import Glibc
import Testing
import ControlTestSupport

/// `hactl check-storage` against filesystems mounted by the test, and the
/// cross-node comparison with real flock between open file descriptions.
@Suite("check-storage", .serialized)
struct CheckStorageTests {
    /// Mounts `type` on a fresh directory for the duration of `body`, unmounting after (even on failure).
    func withMount<T>(_ type: String, _ body: (String) async throws -> T) async throws -> T {
        let directory = TemporaryDirectory("st-\(type)")
        let mountPoint = directory.path + "/mnt"
        mkdir(mountPoint, 0o755)
        let mounted = try runProcess(["/usr/bin/mount", "-t", type, "-o", "size=8m,mode=0755", "hacd-test-\(type)", mountPoint])
        try #require(mounted.status == 0, "mount \(type): \(mounted.stderr)")
        defer { _ = try? runProcess(["/usr/bin/umount", "-l", mountPoint]) }
        return try await body(mountPoint)
    }

    func findings(_ stdout: String) throws -> [StorageFinding] {
        struct Output: Decodable {
            var path: String
            var ok: Bool
            var findings: [StorageFinding]
        }
        return try JSONDecoder().decode(Output.self, from: Data(stdout.utf8)).findings
    }

    @Test("a tmpfs directory is fine: exit 0, flock exclusive, ACLs supported, no silly rename")
    func tmpfsIsFine() async throws {
        try await withMount("tmpfs") { path async throws in
            let result = try await hactl(["--json", "check-storage", path, "--local"])
            #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
            let found = try findings(result.stdout)
            for check in [StorageFinding.Check.path, .filesystem, .flock, .acl, .defaultACL, .sillyRename] {
                #expect(found.first { $0.check == check }?.status == .ok, "\(check): \(found)")
            }
            #expect(found.first { $0.check == .filesystem }?.detail.contains("tmpfs") == true)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: path)
            #expect(leftovers.isEmpty, "scratch files removed: \(leftovers)")
            let text = try await hactl(["check-storage", path, "--local"])
            #expect(text.stdout.contains("fit for the cluster"))
        }
    }

    @Test("a ramfs directory is reported clearly as lacking ACLs: exit 1 with a fix")
    func ramfsLacksACLs() async throws {
        try await withMount("ramfs") { path async throws in
            let result = try await hactl(["--json", "check-storage", path, "--local"])
            #expect(result.status == 1)
            let acl = try #require(try findings(result.stdout).first { $0.check == .acl })
            #expect(acl.status == .problem)
            #expect(acl.detail.contains("POSIX ACLs are not supported"))
            #expect(acl.detail.contains("ramfs"))
            #expect(acl.fix?.contains("ext4") == true)
            #expect(try findings(result.stdout).first { $0.check == .flock }?.status == .ok)
            let text = try await hactl(["check-storage", path, "--local"])
            #expect(text.status == 1)
            #expect(text.stdout.contains("[FAIL] acl:"))
            #expect(text.stdout.contains("fix: "))
        }
    }

    @Test("a missing path exits 1 and says to mount the storage")
    func missingPath() async throws {
        let result = try await hactl(["check-storage", "/nonexistent/hacd-storage", "--local"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("mount the shared storage"))
    }

    @Test("without a daemon the cross-node checks are skipped, saying why")
    func noDaemonSkipsPeers() async throws {
        try await withMount("tmpfs") { path async throws in
            let result = try await hactl(["--json", "--socket", path + "/none.sock", "check-storage", path])
            #expect(result.status == 0)
            let peers = try #require(try findings(result.stdout).first { $0.check == .peers })
            #expect(peers.status == .skipped)
            #expect(peers.detail.contains("haclusterd is not running"))
        }
    }

    @Test("the flock check fails when the second process is not refused (the check can fail)")
    func brokenLockDetected() throws {
        let directory = TemporaryDirectory("st-broken")
        // /bin/true "gets" the lock every time: what a filesystem with node-local or no locking looks like.
        let check = StorageCheck(path: directory.path, lockProbe: LockProbe(executable: "/bin/true", arguments: []))
        let flock = try #require(check.runLocal().first { $0.check == .flock })
        #expect(flock.status == .problem)
        #expect(flock.detail.contains("not exclusive"))
        // And the real probe (util-linux flock) passes on the same directory.
        let real = StorageCheck(path: directory.path, lockProbe: .utilLinux)
        #expect(real.runLocal().first { $0.check == .flock }?.status == .ok)
    }

    @Test("a probe that cannot answer says why: its error line, not starting, or not finishing in time")
    func lockProbeFailuresAreExplained() {
        let directory = TemporaryDirectory("st-probe")
        let file = directory.path + "/lock"
        let complaining = LockProbe(executable: "/bin/sh", arguments: ["-c", "echo cannot lock \"$1\" >&2; exit 3", "probe"])
        #expect(complaining.attempt(file) == .failed("cannot lock \(file)"))
        let silent = LockProbe(executable: "/bin/sh", arguments: ["-c", "exit 3", "probe"])
        #expect(silent.attempt(file) == .failed("/bin/sh exited with status 3"))
        guard case let .failed(missing) = LockProbe(executable: "/nonexistent/probe", arguments: []).attempt(file) else {
            Issue.record("a missing probe executable was not a failure")
            return
        }
        #expect(missing.contains("/nonexistent/probe") && missing.contains("No such file"), "\(missing)")
        let hanging = LockProbe(executable: "/bin/sh", arguments: ["-c", "sleep 20", "probe"])
        let clock = ContinuousClock()
        let began = clock.now
        #expect(hanging.attempt(file, timeout: .milliseconds(200)) == .failed("/bin/sh did not finish within 0.2 seconds"))
        #expect(clock.now - began < .seconds(5))
    }

    @Test("cross-node: a peer daemon on the same storage is refused the lock and sees the marker")
    func crossNodeSameStorage() throws {
        let directory = TemporaryDirectory("st-peer")
        let check = StorageCheck(path: directory.path, lockProbe: .utilLinux, serviceUser: "root")
        // The "peer" runs the probe in this process, through its own open file description:
        // flock conflicts between descriptions exactly as between nodes sharing a lock manager.
        let found = check.runCrossNode(localNode: "dss1", peers: ["dss2"]) { request in
            guard case let .checkStoragePeer(probe) = request else { return .error(.badRequest(reason: "unexpected")) }
            return .result(.storagePeer(probe.run(localNode: probe.node)))
        }
        #expect(found.first { $0.check == .sameStorage }?.status == .ok, "\(found)")
        #expect(found.first { $0.check == .crossNodeFlock }?.status == .ok, "\(found)")
        #expect(found.first { $0.check == .serviceUser }?.status == .ok, "\(found)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test("cross-node: a peer with a different directory at the path is a problem")
    func crossNodeDifferentStorage() throws {
        let shared = TemporaryDirectory("st-a")
        let other = TemporaryDirectory("st-b")
        let check = StorageCheck(path: shared.path, lockProbe: .utilLinux)
        let found = check.runCrossNode(localNode: "dss1", peers: ["dss2"]) { request in
            guard case var .checkStoragePeer(probe) = request else { return .error(.badRequest(reason: "unexpected")) }
            probe.path = other.path  // the peer's "same path" is another directory
            _ = FileManager.default.createFile(atPath: other.path + "/" + probe.lockFile!, contents: nil)
            return .result(.storagePeer(probe.run(localNode: probe.node)))
        }
        let same = try #require(found.first { $0.check == .sameStorage })
        #expect(same.status == .problem)
        #expect(same.fix?.contains("mount the same shared storage") == true)
        #expect(found.first { $0.check == .crossNodeFlock }?.status == .problem)
    }

    @Test("cross-node: different uids of the service user, and a missing path, are problems")
    func crossNodeUidMismatch() {
        let local = StoragePeerReport(node: "dss1", path: "/d", exists: true, isDirectory: true, ownerUID: 1000, userUID: 1000)
        let peer = StoragePeerReport(node: "dss2", path: "/d", exists: true, isDirectory: true, ownerUID: 1001, markerMatches: true, lock: .blocked, userUID: 1001)
        let found = StorageCheck.compare(local: local, peer: peer, serviceUser: "dataiku")
        #expect(found.filter { $0.check == .serviceUser && $0.status == .problem }.count == 2)
        #expect(found.contains { $0.fix?.contains("usermod -u") == true })
        let missing = StorageCheck.compare(local: local, peer: StoragePeerReport(node: "dss2", path: "/d", exists: false, isDirectory: false), serviceUser: nil)
        #expect(missing.map(\.status) == [.problem])
    }

    @Test("NFS mount options: local_lock and nolock are recognised from mountinfo")
    func nfsMountOptions() {
        let mountinfo = """
            22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
            40 22 0:50 / /dataiku rw,relatime shared:20 - nfs4 filer:/export/dss rw,vers=4.2,local_lock=none,addr=10.0.0.5
            41 22 0:51 / /old rw,relatime shared:21 - nfs filer:/export/old rw,vers=3,nolock,local_lock=all
            42 22 0:52 / /with\\040space rw - tmpfs tmpfs rw
            """
        let entries = MountEntry.parse(mountinfo: mountinfo)
        #expect(entries.count == 4)
        #expect(entries[1].isNFS && entries[1].options.contains("local_lock=none"))
        #expect(entries[2].options.contains("nolock"))
        #expect(entries[3].mountPoint == "/with space")
        #expect(MountEntry.containing("/dataiku/data/x", mountinfo: mountinfo)?.filesystem == "nfs4")
        #expect(MountEntry.containing("/etc", mountinfo: mountinfo)?.filesystem == "ext4")
    }

    static func arbiter(access: StatusReport.Arbiter.Access = .ok, io: String = "direct", slots: [StatusReport.Arbiter.Slot]) -> StatusReport.Arbiter {
        StatusReport.Arbiter(file: "/dataiku/.hacluster/arbiter", io: io, storageTimeoutMilliseconds: 1000, access: access,
                             lastWriteMilliseconds: access == .ok ? 120 : 4000, error: access == .ok ? nil : "write of slot 0 heartbeat failed: EIO",
                             slots: slots, verdict: "")
    }

    @Test("the disk heartbeat: a peer advancing is fine; a silent peer, lost access, a refused O_DIRECT are reported")
    func arbiterFindings() {
        let alive = StatusReport.Arbiter.Slot(node: "dss2", verdict: "alive", ageMilliseconds: 150, counter: 812, holding: false, networkLost: false)
        let silent = StatusReport.Arbiter.Slot(node: "dss2", verdict: "silent", ageMilliseconds: 2400, counter: 812, holding: false, networkLost: false)
        let fine = StorageCheck.arbiterFindings(Self.arbiter(slots: [alive]), mount: nil)
        #expect(fine.map(\.status) == [.ok, .ok])
        #expect(fine[1].node == "dss2" && fine[1].detail.contains("advances in this node's reads (counter 812, changed 150 ms ago)"))
        let quiet = StorageCheck.arbiterFindings(Self.arbiter(slots: [silent]), mount: nil)
        #expect(quiet.map(\.status) == [.ok, .problem])
        #expect(quiet[1].detail.contains("has not changed for 1s") && quiet[1].fix?.contains("same arbiter_file") == true)
        let lost = StorageCheck.arbiterFindings(Self.arbiter(access: .lost, slots: [alive]), mount: nil)
        #expect(lost.first?.status == .problem && lost.first?.detail.contains("EIO") == true)
        #expect(StorageCheck.arbiterFindings(Self.arbiter(io: "fallback", slots: []), mount: nil).map(\.status) == [.warning])
        #expect(StorageCheck.arbiterFindings(nil, mount: nil).map(\.status) == [.skipped])
    }

    @Test("the disk heartbeat on NFS: a soft mount is a warning, a hard one says what a stalled NAS does")
    func arbiterNFSTimeouts() {
        let mountinfo = """
            40 22 0:50 / /dataiku rw,relatime shared:20 - nfs4 filer:/export/dss rw,vers=4.2,soft,timeo=100,retrans=3,local_lock=none
            41 22 0:51 / /hard rw,relatime shared:21 - nfs4 filer:/export/hard rw,vers=4.2,hard,timeo=600,retrans=2
            """
        let soft = MountEntry.containing("/dataiku/.hacluster/arbiter", mountinfo: mountinfo)
        let findings = StorageCheck.arbiterFindings(Self.arbiter(slots: []), mount: soft)
        #expect(findings.map(\.check) == [.arbiter, .nfsTimeouts])
        #expect(findings[1].status == .warning && findings[1].detail.contains("timeo 10s, retrans 3") && findings[1].detail.contains("about 40s"),
                "\(findings[1].detail)")
        let hard = StorageCheck.nfsTimeoutFinding(MountEntry.containing("/hard/x", mountinfo: mountinfo)!, storageTimeoutMilliseconds: 1000)
        #expect(hard.status == .ok && hard.detail.contains("storage lost 1s after the NAS stops answering"), "\(hard.detail)")
    }
}
