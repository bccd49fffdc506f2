import ClusterHost
import ClusterCore
import Glibc
import Logging

/// The test cluster's stand-in for self-fencing, selected only by the test-only
/// environment variable `HACLUSTERD_TEST_SELF_FENCE_COMMAND` (never by the config; see
/// `TestHooks`). The production `SelfFence` reboots the machine through
/// /proc/sysrq-trigger, which on a test machine would take down every simulated node
/// and everything else with it.
///
/// Instead: run the command (e.g. the test cluster's "power off this node"), with the
/// reason as its only argument, and if this process is still alive afterwards, exit at
/// once (status 70), so it stops renewing its lease and its peers fence it.
struct TestSelfFence: SelfFencing {
    let command: String
    let logger: Logger

    func fenceSelf(reason: String) async {
        logger.critical("self-fencing (test hook \(TestHooks.selfFenceCommandVariable)): \(reason)")
        if !command.isEmpty {
            let result = try? await ChildProcess.run(["/bin/sh", "-c", command + " \"$0\"", reason], timeout: .seconds(30))
            logger.critical("self-fence command returned", metadata: ["result": "\(result?.diagnostic ?? "did not run")"])
        }
        _exit(70)
    }
}
