import ClusterCore
import Glibc
import Logging

/// One run of the daemon on this node, from start-up to orderly shutdown.
///
/// Order at start: state directory, control socket, event loop (with the
/// systemd watchdog pings on it), signal handlers, then `READY=1`. Order at
/// stop (SIGTERM/SIGINT): `STOPPING=1`, release the service if held, close and
/// remove the control socket, stop the loop.
struct Daemon {
    let config: ClusterConfig
    let node: NodeConfig
    let logger: Logger
    let notifier: SystemdNotifier
    let hooks: TestHooks

    func run() async throws(DaemonError) {
        try makeStateDirectory()
        let signals = SignalWaiter()
        let control = try ControlSocketListener(path: config.cluster.controlSocket)
        logger.info("control socket open", metadata: ["socket": "\(control.path)"])
        let loop = DaemonLoop()
        let pings = loop.startWatchdogPings(notifier, logger: logger)

        if let delay = hooks.readyDelay {
            logger.notice("test hook \(TestHooks.readyDelayVariable): delaying READY by \(delay)")
            try? await Task.sleep(for: delay)
        }
        let status = DaemonStatus(role: node.role == .witness ? .witness : .standby)
        // READY is sent from the loop itself: it proves the loop runs.
        let ready = loop.eventLoop.submit { [logger, notifier, node, config] in
            logger.notice("ready", metadata: [
                "status": "\(status.text)", "role": "\(node.role)", "nodes": "\(config.nodes.count)",
            ])
            notifier.ready(status: status.text)
        }
        _ = try? await ready.get()
        if let hang = hooks.hangEventLoopAfter {
            loop.hangForever(after: hang, logger: logger)
        }

        let received = await signals.next()
        logger.notice("received \(SignalWaiter.name(of: received)); shutting down")
        notifier.stopping(status: DaemonStatus(role: .stopping).text)
        pings?.cancel()
        control.close()
        await loop.shutdown()
        logger.notice("stopped")
    }

    private func makeStateDirectory() throws(DaemonError) {
        var prefix = ""
        for component in config.cluster.stateDir.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                throw .directory(path: prefix, purpose: "state directory", errno: errno)
            }
        }
    }
}
