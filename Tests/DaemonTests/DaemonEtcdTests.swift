#if Etcd
import ClusterCore
import EtcdTestSupport
import Foundation
import Testing

/// The wired daemon with `[cluster] backend = "etcd"`, under a real systemd user manager,
/// against a real 3-member etcd cluster (Debian's etcd-server on loopback): it becomes the
/// coordinator through etcd, takes the lock, starts the real unit, records itself in etcd,
/// shows the backend in `hactl status`, and on stop releases, records `released`, resigns and
/// revokes its lease before exiting 0.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct DaemonEtcdTests {
    static func etcdctl(_ cluster: EtcdTestCluster, _ arguments: [String]) throws -> DaemonTestCommand.Result {
        let endpoints = cluster.endpoints.map { "http://\($0.host):\($0.port)" }.joined(separator: ",")
        return try DaemonTestCommand.run(
            ["/usr/bin/etcdctl", "--endpoints=\(endpoints)", "--dial-timeout=2s", "--command-timeout=3s"] + arguments,
            environment: ["ETCDCTL_API": "3"], timeout: .seconds(10))
    }

    @Test("coordinates through etcd: service started, recorded in etcd, shown in status; a stop hands everything back")
    func runsTheServiceThroughEtcd() throws {
        let cluster = try EtcdTestCluster()
        defer { cluster.shutdown() }
        let scratch = try DaemonTestPaths.makeScratchDirectory(tag: "etcd")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let demoUnit = "hacd-etcd-\(getpid())-demo.service"
        let config = DaemonTestConfig(directory: scratch.appendingPathComponent("node"))
        let prefix = "/haclusterd/daemon-\(getpid())"
        let endpoints = cluster.endpoints.map { "\"http://\($0.host):\($0.port)\"" }.joined(separator: ", ")
        try config.write(serviceUnit: demoUnit, extra: "\n[etcd]\nendpoints = [\(endpoints)]\nprefix = \"\(prefix)\"\nlease_ttl = \"3s\"\n")
        let text = try String(contentsOfFile: config.configPath, encoding: .utf8)
            .replacing("[cluster]\n", with: "[cluster]\nbackend = \"etcd\"\n")
            .replacing("[quorum]\nwait_for_all = false\n", with: "")
        try text.write(toFile: config.configPath, atomically: true, encoding: .utf8)
        let lockFile = config.sharedStorage + "/.hacluster.lock"
        let manager = try DaemonTestManager(directory: scratch.appendingPathComponent("um"), tag: "etcd\(getpid())")
        defer { manager.stop() }
        try manager.writeUnit(named: demoUnit, contents: "[Service]\nExecStart=/bin/sleep 600\n")
        let unit = "hacd-etcd-\(getpid()).service"
        try DaemonUnderSystemdTests.installDaemonUnit(manager, name: unit, config: config, extraDropIn: "WatchdogSec=2s")

        let started = try manager.systemctl(["start", unit], timeout: .seconds(30))
        try #require(started.status == 0, "\(started)\n\(manager.journalText())")
        let running = eventually(within: .seconds(20), every: .milliseconds(200)) {
            (DaemonServiceTests.service(config)?["state"] as? String) == "started"
        }
        try #require(running, "service not started: \(String(describing: DaemonServiceTests.status(config)))\n\(manager.journalText())")
        #expect(try manager.show(demoUnit, ["ActiveState"])["ActiveState"] == "active")
        #expect(try DaemonServiceTests.lockIsHeld(lockFile), "the storage lock is not held while the service runs")

        // In etcd: the leader key (this node, bound to a lease), the holder record, the presence key.
        let leader = try Self.etcdctl(cluster, ["get", "\(prefix)/leader", "--print-value-only"])
        #expect(leader.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "n1", "\(leader)")
        let holder = try Self.etcdctl(cluster, ["get", "\(prefix)/holder", "--print-value-only"])
        #expect(holder.stdout.contains("node=n1") && holder.stdout.contains("state=running"), "\(holder)")
        let presence = try Self.etcdctl(cluster, ["get", "\(prefix)/nodes/n1", "--keys-only"])
        #expect(presence.stdout.contains("\(prefix)/nodes/n1"), "\(presence)")

        // hactl status: the backend, the endpoints' health and the lease.
        let report = DaemonServiceTests.status(config)
        #expect((report?["backend"] as? String) == "etcd")
        #expect((report?["coordinator"] as? String) == "n1")
        let etcd = report?["etcd"] as? [String: Any]
        let remaining = etcd?["lease_remaining_ms"] as? Int ?? -1
        #expect(remaining > 0 && remaining <= 3000, "lease_remaining_ms \(remaining)")
        let healthy = eventually(within: .seconds(8), every: .milliseconds(200)) {
            let list = (DaemonServiceTests.status(config)?["etcd"] as? [String: Any])?["endpoints"] as? [[String: Any]] ?? []
            return list.count == 3 && list.allSatisfy { $0["healthy"] as? Bool == true } && list.filter { $0["leader"] as? Bool == true }.count == 1
        }
        #expect(healthy, "\(String(describing: DaemonServiceTests.status(config)?["etcd"]))")
        let human = try DaemonServiceTests.hactl(config, ["status"])
        #expect(human.stdout.contains("Coordination: etcd, prefix \(prefix), 3/3 endpoints healthy"), "\(human.stdout)")
        #expect(human.stdout.contains("n1: lease "), "\(human.stdout)")

        // hactl disable / enable through etcd: one transaction each on <prefix>/admin.
        let disable = try DaemonServiceTests.hactl(config, ["disable"])
        #expect(disable.status == 0, "\(disable)")
        #expect(try eventually(within: .seconds(10), every: .milliseconds(100)) {
            try manager.show(demoUnit, ["ActiveState"])["ActiveState"] == "inactive"
        }, "unit still running after disable")
        #expect(try !DaemonServiceTests.lockIsHeld(lockFile), "the storage lock is still held after disable")
        let admin = try Self.etcdctl(cluster, ["get", "\(prefix)/admin", "--print-value-only"])
        #expect(admin.stdout.contains("\"enabled\":false"), "\(admin)")
        let enable = try DaemonServiceTests.hactl(config, ["enable"])
        #expect(enable.status == 0, "\(enable)")
        #expect(try eventually(within: .seconds(10), every: .milliseconds(100)) {
            try manager.show(demoUnit, ["ActiveState"])["ActiveState"] == "active"
        }, "unit not started again after enable")
        // Membership commands don't apply with etcd: refused with the reason.
        let add = try DaemonServiceTests.hactl(config, ["node", "add", "n1"])
        #expect(add.status != 0 && add.stderr.contains("etcd backend"), "\(add)")

        // systemctl stop: release, record released, resign, revoke; exit 0.
        let stop = try manager.systemctl(["stop", unit], timeout: .seconds(60))
        #expect(stop.status == 0, "\(stop)")
        #expect(DaemonUnderSystemdTests.recordedExit(config) == "success exited 0")
        #expect(try manager.show(demoUnit, ["ActiveState"])["ActiveState"] == "inactive", "the daemon exited and left the service running")
        #expect(try !DaemonServiceTests.lockIsHeld(lockFile))
        let after = try Self.etcdctl(cluster, ["get", "--prefix", "\(prefix)/"])
        #expect(after.stdout.contains("state=released"), "the holder record says released: \(after)")
        #expect(!after.stdout.contains("\(prefix)/leader") && !after.stdout.contains("\(prefix)/nodes/n1"),
                "leader and presence keys gone with the revoked lease: \(after)")
    }
}
#endif
