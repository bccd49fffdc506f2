import ClusterHost
import ClusterCore
import Foundation
@testable import Fencing

/// Bash fence agents written by the tests into a root-owned 0755 directory. Each
/// agent parses its stdin like fencing.py (`key=value` lines into `opt_<key>`),
/// appends the action to `<name>.calls`, copies its stdin to `<name>.stdin`, answers
/// `action=metadata` with a minimal valid document, then runs `body`.
struct ScriptedAgents {
    let directory: TestDirectory

    init(_ tag: String) throws {
        directory = try TestDirectory(tag)
    }

    var agentDir: String { directory.path }

    /// The body of an agent that works like a power switch: `off` powers the target off (the
    /// file `power` in the directory) and says so, `status` then reads OFF (exit 2), ON before.
    static let powerSwitch = """
        case $opt_action in
          off) echo off >"$dir/power"; echo 'Success: Powered OFF' ;;
          status) [[ $(cat "$dir/power" 2>/dev/null) == off ]] && exit 2 || exit 0 ;;
        esac
        exit 0
        """

    @discardableResult
    func add(_ name: String, actions: [String] = ["on", "off", "reboot", "status", "monitor", "metadata"],
             parameters: [String] = ["port", "ip", "username", "password"], body: String) throws -> String {
        let params = parameters.map {
            "<parameter name=\"\($0)\" unique=\"0\" required=\"0\"><content type=\"string\" /><shortdesc lang=\"en\">\($0)</shortdesc></parameter>"
        }.joined(separator: "\n")
        let actionTags = actions.map { "<action name=\"\($0)\" />" }.joined(separator: "\n")
        let script = """
        #!/bin/bash
        dir=\(agentDir)
        me=\(name)
        : >"$dir/$me.stdin.tmp"
        while IFS= read -r line; do
          printf '%s\\n' "$line" >>"$dir/$me.stdin.tmp"
          case "$line" in *=*) declare "opt_${line%%=*}=${line#*=}" ;; esac
        done
        mv "$dir/$me.stdin.tmp" "$dir/$me.stdin"
        echo "$opt_action" >>"$dir/$me.calls"
        if [[ $opt_action == metadata ]]; then
        cat <<'XML'
        <?xml version="1.0" ?>
        <resource-agent name="\(name)" shortdesc="scripted test agent">
        <longdesc>written by a test</longdesc>
        <parameters>
        \(params)
        </parameters>
        <actions>
        \(actionTags)
        </actions>
        </resource-agent>
        XML
        exit 0
        fi
        \(body)
        """
        return try directory.write(name, script, mode: 0o755)
    }

    func calls(_ name: String) -> [String] {
        (directory.read("\(name).calls") ?? "").split(separator: "\n").map(String.init)
    }

    func stdin(_ name: String) -> String {
        directory.read("\(name).stdin") ?? ""
    }

    func remove() { directory.remove() }
}

/// Collects events emitted by the coordinator and the monitor.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [EventRecord] = []

    var sink: @Sendable (EventRecord) -> Void {
        { [self] event in lock.withLock { storage.append(event) } }
    }

    var events: [EventRecord] { lock.withLock { storage } }

    func kinds() -> [String] { events.map(\.kind.rawValue) }
}

extension ClusterConfig {
    /// A two-node test cluster with the given fencing section.
    static func fencingTest(_ fencing: FencingConfig, nodes: [String] = ["n1", "n2"]) -> ClusterConfig {
        ClusterConfig(
            cluster: ClusterSettings(name: "fencing-test"),
            nodes: nodes.enumerated().map { NodeConfig(name: $1, addresses: ["198.18.250.\($0 + 1)"]) },
            service: ServiceConfig(name: "svc", units: ["svc.service"]),
            storage: StorageConfig(path: "/tmp", lockFile: "/tmp/fencing-test.lock"),
            fencing: fencing)
    }
}
