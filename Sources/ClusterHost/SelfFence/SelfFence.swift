import ClusterCore
import Glibc

/// The production self-fence: reboots (or powers off) this machine at once, without syncing
/// or stopping anything, the way a fence agent would. The daemon must opt in explicitly by
/// constructing it; tests inject a recording double instead.
///
/// `.sysrq` writes `b` (reboot) or `o` (power off) to /proc/sysrq-trigger, which works for
/// root whatever `kernel.sysrq` says. `.systemd` runs `systemctl reboot --force --force`
/// (or `poweroff`), which also skips stopping units. If the first method leaves the node
/// alive for `fallbackAfter`, the other is tried; if the node is still alive after that, the
/// process traps, so at least it stops renewing its lease and the peers fence it.
public struct SelfFence: SelfFencing {
    public enum Method: Sendable, Equatable {
        case sysrq
        case systemd
    }

    public static let sysrqTrigger = "/proc/sysrq-trigger"
    public static let systemctl = "systemctl"

    public var method: Method
    public var action: FencingConfig.Action
    public var fallbackAfter: Duration
    /// Where the sysrq key is written: /proc/sysrq-trigger, except in the tests that
    /// run this very code and read the byte back from a file.
    public var triggerPath: String
    /// The program run for the `.systemd` method: systemctl, except in those tests.
    public var systemctlProgram: String
    /// Told the reason before the node goes down (log it; it may be the last line written).
    public var announce: @Sendable (String) -> Void

    public init(
        method: Method = .sysrq,
        action: FencingConfig.Action = .reboot,
        fallbackAfter: Duration = .seconds(5),
        triggerPath: String = SelfFence.sysrqTrigger,
        systemctlProgram: String = SelfFence.systemctl,
        announce: @escaping @Sendable (String) -> Void
    ) {
        self.method = method
        self.action = action
        self.fallbackAfter = fallbackAfter
        self.triggerPath = triggerPath
        self.systemctlProgram = systemctlProgram
        self.announce = announce
    }

    public func fenceSelf(reason: String) async {
        announce("self-fencing (\(action.rawValue)) via \(method): \(reason)")
        let order: [Method] = method == .sysrq ? [.sysrq, .systemd] : [.systemd, .sysrq]
        for attempt in order {
            switch attempt {
            case .sysrq:
                let fd = open(triggerPath, O_WRONLY | O_CLOEXEC)
                if fd >= 0 {
                    var key: UInt8 = action == .reboot ? UInt8(ascii: "b") : UInt8(ascii: "o")
                    _ = write(fd, &key, 1)
                    close(fd)
                } else {
                    announce("cannot open \(triggerPath): \(String(cString: strerror(errno)))")
                }
            case .systemd:
                _ = try? await ChildProcess.run([systemctlProgram, action == .reboot ? "reboot" : "poweroff", "--force", "--force"],
                                                timeout: fallbackAfter)
            }
            try? await Task.sleep(for: fallbackAfter)
            announce("still alive after self-fencing via \(attempt)")
        }
        fatalError("self-fencing failed and this node still runs: \(reason)")
    }
}
