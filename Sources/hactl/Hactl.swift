import ClusterHost
import ArgumentParser
import BuildInfo
import ClusterCore
import Glibc

/// `hactl`: the operator's command line for haclusterd.
struct Hactl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hactl",
        abstract: "Control the haclusterd failover cluster.",
        usage: "hactl [--socket <path>] [--config <path>] [--json] [--timeout <duration>] <command> [<args>]",
        discussion: """
            hactl talks to the haclusterd daemon of this node over its control socket; the daemon forwards cluster-wide changes to the coordinator, and a change returns once a quorum of nodes has committed it.

            Examples:
              hactl status                       quorum, nodes, service, constraints
              hactl --json status | jq .service  the same, for scripts
              hactl status --check               one line for monitoring; exit 0 OK, 1 WARNING, 2 CRITICAL
              hactl move dss2 --lifetime 30min   move to dss2, ban dss1 for 30 minutes
              hactl move dss2 --wait             ... and return once the service answers there
              hactl clear                        remove all move/ban constraints
              hactl standby dss1                 drain dss1 (hactl unstandby dss1 undoes)
              hactl maintenance on               no start, stop, move or fence until off
              hactl check-storage /dataiku       flock, ACL and NFS checks of the storage
              hactl events --follow              elections, fencing, takeover steps, live
              hactl reload                       check the config, re-execute haclusterd in place

            Exit status: 0 success, 1 the command failed, 2 bad usage or configuration, 3 haclusterd is not reachable on this node, 4 refused (not authorized, or no quorum), 5 --wait ran out of time (the change is committed). `status --check`: 0 healthy, 1 degraded, 2 failed, 3 unknown.

            Durations: 500ms, 30s, 10min, 2h, 1d (a bare number is seconds; "10m" is refused, write 10min).
            Bash completion:
              hactl --generate-completion-script bash > /etc/bash_completion.d/hactl
            """,
        version: BuildInfo.versionLine(
            program: "hactl", release: ProductVersion.current, details: ["control protocol \(ControlProtocol.version)"]),
        groupedSubcommands: verbs
    )

    /// The verbs as `hactl --help` lists them, grouped like pcs does; the README's hactl section
    /// documents this order and `HactlHelpTests` checks it. A new verb joins the group it belongs
    /// to; a new group goes before Daemon.
    static let verbs: [CommandGroup] = [
        CommandGroup(name: "Inspect", subcommands: [
            StatusCommand.self,
            EventsCommand.self,
            ConfigCommand.self,
            CheckStorageCommand.self,
            LockProbeCommand.self,  // check-storage's second process, not listed by --help
        ]),
        CommandGroup(name: "Service", subcommands: [
            EnableCommand.self,
            DisableCommand.self,
            MoveCommand.self,
            BanCommand.self,
            ClearCommand.self,
            CleanupCommand.self,
        ]),
        CommandGroup(name: "Nodes", subcommands: [
            StandbyCommand.self,
            UnstandbyCommand.self,
            MaintenanceCommand.self,
            QuorumCommand.self,
            MemberCommand.self,
        ]),
        CommandGroup(name: "Fencing", subcommands: [
            FenceCommand.self,
        ]),
        CommandGroup(name: "Daemon", subcommands: [
            ReloadCommand.self,
            KeygenCommand.self,
        ]),
    ]
}

/// Runs hactl with the spec's exit statuses (argument-parser's usage errors would otherwise exit 64).
@main
enum HactlMain {
    static func main() {
        let arguments = Self.movingGlobalOptions(Array(CommandLine.arguments.dropFirst()))
        let wantsJSON = arguments.contains("--json")
        do {
            var command = try Hactl.parseAsRoot(arguments)
            try command.run()
            exit(0)
        } catch let failure as HactlFailure {
            failure.report(json: wantsJSON)
            exit(failure.exitStatus)
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            let exitCode = Hactl.exitCode(for: error)
            let message = Hactl.fullMessage(for: error)
            if exitCode == .success {
                if !message.isEmpty { print(message) }
                exit(0)
            }
            HactlFailure.usage(message).report(json: wantsJSON)
            exit(2)
        }
    }

    /// The spec writes `hactl [--socket PATH] [--json] COMMAND`; argument-parser wants a
    /// subcommand's options after its name, so leading global options move to the end.
    static func movingGlobalOptions(_ arguments: [String]) -> [String] {
        let withValue: Set<String> = ["--socket", "--config", "--timeout"]
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--json" {
                leading.append(argument)
                index += 1
            } else if withValue.contains(argument), index + 1 < arguments.count {
                leading += [argument, arguments[index + 1]]
                index += 2
            } else if withValue.contains(where: { argument.hasPrefix($0 + "=") }) {
                leading.append(argument)
                index += 1
            } else {
                break
            }
        }
        guard !leading.isEmpty, index < arguments.count else { return arguments }
        return Array(arguments[index...]) + leading
    }
}
