import ClusterCore
import ClusterHost

/// `hactl check-storage` with `tie_breaker = "storage"`: the disk heartbeat as the daemon on
/// this node reads it (each peer's heartbeat must advance in this node's reads of the arbiter
/// file: the nodes write the same file and this node does not read a cached copy), and the
/// NFS mount options of the file against `storage_timeout`. Run it on every node: each one
/// proves the direction towards itself.
extension StorageCheck {
    static func arbiterFindings(_ arbiter: StatusReport.Arbiter?, mount: MountEntry?) -> [StorageFinding] {
        guard let arbiter else {
            return [StorageFinding(.arbiter, .skipped, "no disk heartbeat here ([quorum] tie_breaker is not \"storage\")")]
        }
        let timeout = DurationText.format(.milliseconds(arbiter.storageTimeoutMilliseconds))
        var findings: [StorageFinding] = []
        switch (arbiter.access, arbiter.lastWriteMilliseconds) {
        case (.lost, _):
            findings.append(StorageFinding(
                .arbiter, .problem, "this node cannot write and read its disk heartbeat in \(arbiter.file) (none for \(timeout))"
                    + (arbiter.error.map { ": \($0)" } ?? ""),
                fix: "the storage must answer on this node: check the mount of \(arbiter.file) and the NAS; the daemon's log names each failing call"))
        case (.ok, nil):
            findings.append(StorageFinding(.arbiter, .skipped, "no disk heartbeat cycle finished yet on this node; run again in a few seconds"))
        case (.ok, let age?):
            let mode = arbiter.io == "fallback"
                ? "O_DIRECT refused by the filesystem: O_DSYNC writes, page cache dropped before each read"
                : "O_DIRECT"
            findings.append(StorageFinding(.arbiter, arbiter.io == "fallback" ? .warning : .ok,
                                           "this node writes and reads \(arbiter.file) (\(mode)); last cycle \(age) ms ago"))
        }
        for slot in arbiter.slots {
            let seen = slot.ageMilliseconds.map { "changed \($0) ms ago" } ?? "never seen to change"
            switch slot.verdict {
            case "alive":
                findings.append(StorageFinding(.arbiter, .ok, node: slot.node,
                                               "\(slot.node)'s disk heartbeat advances in this node's reads (counter \(slot.counter.map(String.init) ?? "-"), \(seen))"))
            case "silent":
                findings.append(StorageFinding(
                    .arbiter, .problem, node: slot.node,
                    "\(slot.node)'s disk heartbeat has not changed for \(timeout) in this node's reads (\(seen))",
                    fix: "is haclusterd running on \(slot.node) with tie_breaker = \"storage\"? Both nodes must mount the same export at the same path and name the same arbiter_file; run hactl check-storage on \(slot.node) too"))
            default:
                findings.append(StorageFinding(.arbiter, .skipped, node: slot.node,
                                               "\(slot.node): not judged yet (\(seen)); run again after \(timeout)"))
            }
        }
        if let mount, mount.isNFS {
            findings.append(nfsTimeoutFinding(mount, storageTimeoutMilliseconds: arbiter.storageTimeoutMilliseconds))
        }
        return findings
    }

    /// How the NFS client waits for a server that does not answer, against `storage_timeout`.
    /// nfs(5): `timeo` in tenths of a second (default 600 over TCP), `retrans` (default 2),
    /// `hard` (default) retries for ever, `soft` fails the call with EIO after the retries.
    static func nfsTimeoutFinding(_ mount: MountEntry, storageTimeoutMilliseconds: Int) -> StorageFinding {
        let timeo = mount.option("timeo").flatMap(Int.init) ?? 600
        let retrans = mount.option("retrans").flatMap(Int.init) ?? 2
        let soft = mount.options.contains("soft") || mount.options.contains("softerr")
        let timeout = DurationText.format(.milliseconds(storageTimeoutMilliseconds))
        let first = DurationText.format(.milliseconds(timeo * 100))
        if soft {
            let total = DurationText.format(.milliseconds(timeo * 100 * (retrans + 1)))
            return StorageFinding(
                .nfsTimeouts, .warning,
                "NFS mount \(mount.mountPoint) is soft (timeo \(first), retrans \(retrans)): a server that stops answering fails calls with EIO after about \(total). "
                    + "The disk heartbeat counts that as lost storage after \(timeout) either way, but the service's own writes fail too",
                fix: "mount \(mount.mountPoint) with hard (the default): a stalled NAS then hangs I/O, the disk heartbeat still times out after storage_timeout, and a holder whose release hangs is reset by its watchdog")
        }
        return StorageFinding(
            .nfsTimeouts, .ok,
            "NFS mount \(mount.mountPoint) is hard (timeo \(first), retrans \(retrans)): a stalled NAS hangs I/O; the disk heartbeat does not wait for NFS, "
                + "it counts every cycle not finished within a heartbeat interval as failed, so this node sees its storage lost \(timeout) after the NAS stops answering. "
                + "A NAS failover that lasts longer than that makes the holder release the service")
    }
}
