import ClusterHost
import ClusterCore
import Glibc
import Logging
import NIOCore
import NIOPosix

/// The daemon's event loop: one thread that runs the cluster runtime's work and
/// everything that proves the daemon alive.
///
/// systemd's watchdog pings are scheduled ON this loop, never on a timer of their
/// own: if the loop hangs (a blocking call, a deadlock), the pings stop and systemd
/// kills and restarts the daemon after `WatchdogSec=`.
final class DaemonLoop: Sendable {
    let group: MultiThreadedEventLoopGroup
    let eventLoop: any EventLoop

    init() {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        eventLoop = group.next()
    }

    /// Sends `WATCHDOG=1` every `interval` from the loop, when `isAlive()` also holds
    /// (the cluster runtime's own loop beats). No-op without a watchdog.
    @discardableResult
    func startWatchdogPings(
        _ notifier: SystemdNotifier, logger: Logger, isAlive: @escaping @Sendable () -> Bool = { true }
    ) -> RepeatedTask? {
        guard let interval = notifier.watchdogPingInterval else { return nil }
        logger.info("systemd watchdog enabled", metadata: [
            "watchdog_timeout": "\(notifier.watchdogTimeout!)", "ping_interval": "\(interval)",
        ])
        return eventLoop.scheduleRepeatedTask(initialDelay: .zero, delay: TimeAmount(interval)) { _ in
            if isAlive() {
                notifier.watchdogPing()
            }
        }
    }

    /// Test hook: blocks the loop forever after `delay` (see `TestHooks`).
    func hangForever(after delay: Duration, logger: Logger) {
        eventLoop.scheduleTask(in: TimeAmount(delay)) {
            logger.critical("test hook \(TestHooks.hangEventLoopVariable): blocking the event loop forever")
            while true { sleep(3600) }
        }
    }

    func shutdown() async {
        try? await group.shutdownGracefully()
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
