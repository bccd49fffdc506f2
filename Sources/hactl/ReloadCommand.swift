import ArgumentParser
import ClusterCore
import ClusterHost
import FoundationEssentials
import Glibc

/// `hactl reload`: what `systemctl reload haclusterd` runs (ExecReload).
///
/// The daemon checks its configuration file with the haclusterd binary now installed at its
/// path and, if it passes, re-executes that binary in place: same PID, the service untouched.
/// This command returns once the new image answers on the control socket (exit 0), or with the
/// refusal, naming the file, line and key (exit 1; the running daemon goes on unchanged).
struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Check the configuration with the installed haclusterd, then re-execute it in place (systemctl reload).",
        discussion: """
            Same PID, same storage lock, floating IPs, running units, term and vote: no election, no fence, no gap for clients. Installing a new haclusterd binary and then reloading is how a node is upgraded. An invalid configuration, or a change that cannot take effect live (cluster name, key, port, nodes, addresses, failure timeout, quorum rules), is refused with the key and the procedure to follow; nothing changes then.
            """)

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let socket = global.socketPath
        let limit = global.timeout.flatMap { try? DurationText.parse($0) } ?? .seconds(60)
        // The answer comes just before the re-execution; the connection then ends with the old image.
        var answer: ControlResponse?
        do {
            try ControlClient(socketPath: socket, timeout: limit).stream(.reload, idleTimeout: limit) { response in
                if answer == nil { answer = response }
                if case .result(.reloading) = response { return true }
                return false
            }
        } catch {
            guard answer != nil else { throw HactlFailure.client(error) }
        }
        let accepted: ReloadAccepted
        switch answer {
        case let .result(.reloading(value))?: accepted = value
        case let .error(error)?: throw HactlFailure.control(error)
        case let .result(other)?: throw HactlFailure.failed("the daemon answered reload with '\(other.type)'")
        case nil: throw HactlFailure.failed("no answer from the daemon")
        }
        // The new image answers once its control socket is bound again.
        let deadline = ContinuousClock.now + limit
        var answered = false
        while ContinuousClock.now < deadline {
            if case .result(.status) = try? ControlClient(socketPath: socket, timeout: .seconds(2)).send(.status) {
                answered = true
                break
            }
            usleep(10_000)
        }
        guard answered else {
            throw HactlFailure.failed("haclusterd (pid \(accepted.pid)) started re-executing \(accepted.binary) but does not answer on \(socket) after \(DurationText.format(limit)); see journalctl -u haclusterd")
        }
        if global.json {
            Output.json(accepted)
        } else {
            Output.text("haclusterd (pid \(accepted.pid)) re-executed \(accepted.binary) in place with \(accepted.config)")
        }
    }
}
