import ClusterHost
import ArgumentParser
import ClusterCore

/// `hactl config check [PATH]`.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Configuration file commands.",
        subcommands: [CheckCommand.self])

    struct CheckCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Validate a configuration file (crm_verify); exit 0 if valid, 2 if not.",
            discussion: """
                Checks everything haclusterd checks at start: TOML syntax, keys, values, the rules between them (quorum, fencing coverage, timeouts) and, unless --no-files, the files it names (cluster key, password files, fence agents) as this machine sees them, and each fence device's options against its agent's metadata. It also asks this machine's systemd (on the bus systemd_bus names) about each managed unit: a TimeoutStartSec/TimeoutStopSec shorter than the cluster's timeout, or a unit enabled at boot, is a warning, as in hactl status. Warnings (allowed but risky settings) are printed without failing.

                Examples:
                  hactl config check
                  hactl config check /tmp/new.toml --no-files
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Configuration file (default: --config, /etc/hacluster/haclusterd.toml).") var path: String?
        @Flag(name: .long, help: "Do not check the files the configuration names (for a file meant for another machine).")
        var noFiles = false

        func run() throws {
            let file = path ?? global.config
            var loaded = try ConfigAdapter.load(path: file, checkFiles: !noFiles)
            var notes: [String] = []
            if !noFiles {
                let problems = ConfigAdapter.fenceDeviceProblems(loaded.config, path: file)
                if !problems.isEmpty { throw HactlFailure.configuration(problems.joined(separator: "\n")) }
                // The managed units as this machine's systemd sees them (timeouts, enabled at boot).
                let audit = UnitSettingsReader.read(loaded.config.service)
                loaded.warnings += UnitAudit.warnings(config: loaded.config, units: audit.units, daemonTimeoutStop: audit.daemonTimeoutStop)
                if let reason = audit.unreachable {
                    notes.append("units not checked against systemd (\(reason)); run config check on the node itself")
                }
            }
            if global.json {
                Output.json(ConfigCheckOutput(
                    path: file, valid: true, cluster: loaded.config.cluster.name,
                    nodes: loaded.config.nodes.map(\.name), warnings: loaded.warnings))
            } else {
                for warning in loaded.warnings { Output.warning("warning: \(warning)") }
                for note in notes { Output.warning("note: \(note)") }
                let nodes = loaded.config.nodes.map(\.name).joined(separator: ", ")
                Output.text("\(file): valid (cluster \(loaded.config.cluster.name), nodes \(nodes))")
            }
        }
    }
}

struct ConfigCheckOutput: Encodable {
    var path: String
    var valid: Bool
    var cluster: String
    var nodes: [String]
    var warnings: [String]
}
