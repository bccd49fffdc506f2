import ClusterHost
import ArgumentParser
import ClusterCore
import FoundationEssentials

/// `hactl check-storage PATH`: the manual flock test of HA guides, and more.
struct CheckStorageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-storage",
        abstract: "Verify shared storage: flock exclusivity, POSIX ACLs, no NFS silly rename, same storage on every node.",
        discussion: """
            On this node: two processes compete for flock(LOCK_EX) on a scratch file; an access and a default POSIX ACL are set and read back; an open file is unlinked to see whether NFS leaves a .nfsXXXX file behind; NFS mounts with nolock/local_lock are flagged. When haclusterd runs, each other node that can run the service checks, through its daemon, that it sees the same directory, is refused the lock this node holds, and knows --user under the same uid. With [quorum] tie_breaker = "storage": this node writes and reads its disk heartbeat, each peer's heartbeat advances in this node's reads of the arbiter file (run check-storage on every node: each proves the direction towards itself), and the NFS mount options of the file are weighed against storage_timeout.

            Each finding says what to change. Exit 0 when all is fine, 1 when a problem is found. Scratch files are named .hacluster-check-* and removed afterwards.

            Examples:
              hactl check-storage /dataiku
              hactl check-storage /dataiku --user dataiku --json
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The shared storage directory ([storage] path).") var path: String
    @Option(name: .long, help: "The user the service runs as, to compare its uid on every node.") var user: String?
    @Flag(name: .long, help: "Only the checks on this node (do not ask the daemons).") var local = false

    func run() throws {
        let check = StorageCheck(path: path, lockProbe: Self.selfProbe(), serviceUser: user)
        var findings = check.runLocal()
        let pathUsable = !findings.contains { $0.check == .path && $0.status == .problem }
        if pathUsable && !local {
            findings.append(contentsOf: crossNode(check))
        }
        let ok = !findings.contains { $0.status == .problem }
        if global.json {
            Output.json(CheckStorageOutput(path: path, ok: ok, findings: findings))
        } else {
            Output.text(Self.render(findings))
            Output.text(ok ? "\(path): fit for the cluster" : "\(path): problems found (see fix: lines)")
        }
        if !ok { throw ExitCode(1) }
    }

    private func crossNode(_ check: StorageCheck) -> [StorageFinding] {
        let client = global.client(defaultTimeout: .seconds(30))
        let report: StatusReport
        do {
            guard case let .result(.status(status)) = try client.send(.status) else {
                return [StorageFinding(.peers, .skipped, "the daemon did not answer status: cross-node checks skipped")]
            }
            report = status
        } catch {
            return [StorageFinding(.peers, .skipped, "\(error.description): cross-node checks skipped (run again when the cluster is up)")]
        }
        var findings: [StorageFinding] = []
        var peers: [String] = []
        for node in report.nodes where node.name != report.node && node.role != .witness {
            if node.state == .online || node.state == .standby {
                peers.append(node.name)
            } else {
                findings.append(StorageFinding(.peers, .skipped, node: node.name, "\(node.name) is \(node.state.rawValue): not checked"))
            }
        }
        findings += check.runCrossNode(localNode: report.node, peers: peers) { request in
            try client.send(request)
        }
        findings += StorageCheck.arbiterFindings(report.arbiter, mount: report.arbiter.flatMap { MountEntry.containing($0.file) })
        return findings
    }

    /// This very binary, as the second process of the flock test.
    static func selfProbe() -> LockProbe {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return LockProbe(executable: executable, arguments: [LockProbeCommand.configuration.commandName!])
    }

    static func render(_ findings: [StorageFinding]) -> String {
        findings.map { finding in
            let tag: String
            switch finding.status {
            case .ok: tag = "[ ok ]"
            case .warning: tag = "[warn]"
            case .problem: tag = "[FAIL]"
            case .skipped: tag = "[skip]"
            }
            let node = finding.node.map { " \($0):" } ?? ""
            var text = "\(tag) \(finding.check.rawValue):\(node) \(finding.detail)"
            if let fix = finding.fix { text += "\n       fix: \(fix)" }
            return text
        }.joined(separator: "\n")
    }
}

struct CheckStorageOutput: Encodable {
    var path: String
    var ok: Bool
    var findings: [StorageFinding]
}
