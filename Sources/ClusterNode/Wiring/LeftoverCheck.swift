import ClusterHost
import ClusterCore

/// What a previous run of the daemon may have left on this node.
///
/// A daemon that dies while holding the service (kill -9, crash, out of memory)
/// leaves its units running and its floating IPs configured; only the `flock` dies
/// with it. The restarted daemon's core starts idle and tells the leader it holds
/// nothing, so the leader would start the service elsewhere: whatever is left must
/// be given up BEFORE the node joins the cluster.
struct LeftoverCheck {
    let units: [String]
    let floatingIPs: [FloatingIPConfig]
    let unitControl: any UnitControlling
    let addresses: FloatingAddress
    /// Bound on each query: a manager that does not answer must not hang the start.
    var timeout: Duration = .seconds(15)

    /// Units not down and floating IPs present here, for the log; empty when clean.
    /// Throws when it cannot tell (the bus does not answer): joining would then be unsafe.
    func leftovers() async throws(DaemonError) -> [String] {
        var found: [String] = []
        for unit in units {
            let status: UnitStatus
            do {
                status = try await bounded { try await unitControl.status(of: unit) }
            } catch {
                throw .startup(component: "leftover check", reason: "cannot tell whether \(unit) runs here: \(error)")
            }
            if !status.isDown { found.append("unit \(status)") }
        }
        for ip in floatingIPs {
            do {
                let holders = try await bounded { try await addresses.holders(of: ip) }
                found += holders.map { "address \(ip.address) on \($0)" }
            } catch {
                throw .startup(component: "leftover check", reason: "cannot list the addresses of this node: \(error)")
            }
        }
        return found
    }

    private struct TimedOut: Error, CustomStringConvertible {
        var after: Duration
        var description: String { "no answer within \(after)" }
    }

    private func bounded<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let timeout = self.timeout
        return try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw TimedOut(after: timeout)
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}
