import ClusterCore
import ClusterHost
import FoundationEssentials
import SystemPackage
import Glibc

extension StorageCheck {
    /// Cross-node checks through the daemons: this process writes a marker file and holds
    /// `LOCK_EX` on it; each peer's daemon must see the marker (same storage), be refused the
    /// lock (flock shared across nodes) and know the service user under the same uid.
    ///
    /// `send` delivers a request to the local daemon (which forwards it to the peer).
    public func runCrossNode(
        localNode: String, peers: [String], send: (ControlRequest) throws -> ControlResponse
    ) -> [StorageFinding] {
        guard !peers.isEmpty else {
            return [StorageFinding(.peers, .skipped, "no other node can run the service: nothing to compare")]
        }
        // A name nobody can guess, created only if new and never through a symlink: a file
        // planted at the name cannot make this process overwrite anything.
        let random = (0..<2).map { _ in String(UInt64.random(in: 0...UInt64.max), radix: 16) }.joined()
        let name = "\(StoragePeerProbe.scratchPrefix)\(localNode)-\(random)-marker"
        let file = FilePath(path).appending(name).string
        let token = (0..<4).map { _ in String(UInt32.random(in: 0...UInt32.max), radix: 16) }.joined()
        let fd = open(file, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            return [StorageFinding(.peers, .skipped, "cannot create \(file): \(String(cString: strerror(errno)))")]
        }
        defer {
            close(fd)
            unlink(file)
        }
        _ = (token + "\n").withCString { write(fd, $0, strlen($0)) }
        fsync(fd)
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            return [StorageFinding(.peers, .skipped, "cannot lock \(file): \(String(cString: strerror(errno)))")]
        }
        let local = StoragePeerProbe(node: localNode, path: path, user: serviceUser).run(localNode: localNode)
        var findings: [StorageFinding] = []
        for peer in peers {
            let probe = StoragePeerProbe(node: peer, path: path, markerFile: name, token: token, lockFile: name, user: serviceUser)
            do {
                switch try send(.checkStoragePeer(probe)) {
                case let .result(.storagePeer(report)):
                    findings.append(contentsOf: Self.compare(local: local, peer: report, serviceUser: serviceUser))
                case let .result(other):
                    findings.append(StorageFinding(.peers, .skipped, node: peer, "unexpected answer '\(other.type)' from the daemon"))
                case let .error(error):
                    findings.append(StorageFinding(.peers, .skipped, node: peer, "\(peer) could not run the check: \(error.message)"))
                }
            } catch {
                findings.append(StorageFinding(.peers, .skipped, node: peer, "\(peer) could not run the check: \(error)"))
            }
        }
        return findings
    }

    /// Findings from one peer's report, compared with this node's view.
    public static func compare(local: StoragePeerReport, peer: StoragePeerReport, serviceUser: String?) -> [StorageFinding] {
        let node = peer.node
        guard peer.exists else {
            return [StorageFinding(.sameStorage, .problem, node: node, "\(peer.path) does not exist on \(node)", fix: "mount the shared storage at \(peer.path) on \(node) too (the same path on every node)")]
        }
        var findings: [StorageFinding] = []
        if peer.markerMatches == true {
            findings.append(StorageFinding(.sameStorage, .ok, node: node, "\(node) sees the same directory at \(peer.path) (\(peer.filesystem ?? "unknown filesystem"))"))
        } else {
            findings.append(StorageFinding(
                .sameStorage, .problem, node: node,
                "\(node) does not see the file this node wrote in \(peer.path): it is not the same storage there (\(peer.filesystem ?? "unknown filesystem"))",
                fix: "mount the same shared storage at \(peer.path) on \(node); a local directory there would let both nodes run the service on different data"))
        }
        switch peer.lock {
        case .blocked:
            findings.append(StorageFinding(.crossNodeFlock, .ok, node: node, "\(node) is refused the lock this node holds: flock is exclusive across nodes"))
        case .acquired:
            findings.append(StorageFinding(
                .crossNodeFlock, .problem, node: node,
                "\(node) got LOCK_EX on a file this node holds locked: flock does not work across nodes on this storage",
                fix: "on NFS remove nolock/local_lock=flock|all from the mount options (use NFSv4 or lockd); other shared filesystems need their cluster lock manager"))
        case let .failed(reason):
            findings.append(StorageFinding(.crossNodeFlock, .problem, node: node, "\(node) could not try the lock: \(reason)", fix: "check that \(peer.path) is writable by root on \(node)"))
        case .notTried:
            findings.append(StorageFinding(.crossNodeFlock, .skipped, node: node, "\(node) did not try the lock"))
        }
        if let localOwner = local.ownerUID, let peerOwner = peer.ownerUID, localOwner != peerOwner {
            findings.append(StorageFinding(
                .serviceUser, .problem, node: node,
                "\(peer.path) is owned by uid \(localOwner) here and by uid \(peerOwner) on \(node)",
                fix: "the same files must show the same owner on every node: align uids (and NFS idmapping) across nodes"))
        }
        if let serviceUser {
            switch (local.userUID, peer.userUID) {
            case let (here?, there?) where here == there:
                findings.append(StorageFinding(.serviceUser, .ok, node: node, "user \(serviceUser) has uid \(here) here and on \(node)"))
            case let (here?, there?):
                findings.append(StorageFinding(
                    .serviceUser, .problem, node: node, "user \(serviceUser) has uid \(here) here but uid \(there) on \(node)",
                    fix: "give \(serviceUser) the same uid (and gid) on every node (usermod -u), then chown its files on the shared storage"))
            case (_, nil):
                findings.append(StorageFinding(.serviceUser, .problem, node: node, "user \(serviceUser) does not exist on \(node)", fix: "create \(serviceUser) on \(node) with the same uid as on the other nodes"))
            case (nil, _):
                findings.append(StorageFinding(.serviceUser, .problem, "user \(serviceUser) does not exist on this node", fix: "create \(serviceUser) here with the same uid as on the other nodes"))
            }
        }
        return findings
    }
}
