import ClusterCore
import ClusterHost
internal import CLinux
import FoundationEssentials
import Glibc
import Logging

/// `systemctl reload haclusterd` (the `reload` control request of `hactl reload`) and SIGHUP:
/// check the configuration file with the haclusterd binary now installed at this process's
/// path, then re-execute that binary in place. Same PID (systemd keeps tracking it); the
/// storage lock's descriptor, the floating IPs, the running units, the term, the vote and the
/// election role with its lease go on; the service is not touched.
///
/// Refused, changing nothing: an invalid configuration (the installed binary's message, with
/// file, line and key), a change the cluster cannot take live (`ConfigReloadRules`), a takeover,
/// release or fence in progress, another reload in progress.
actor Reloader {
    struct Refusal: Error, CustomStringConvertible {
        var reason: String
        var description: String { "reload refused, nothing changed: \(reason)" }
    }

    /// What the daemon does just before `execve`: stop the control socket, the watchdogs, ...
    typealias Prepare = @Sendable () async -> Void

    let configPath: String
    let arguments: [String]
    let config: ClusterConfig
    let key: ClusterKey
    let runtime: any CoordinationRuntime
    let sequence: TakeoverSequence
    let lock: SharedStorageLock
    let events: EventHub
    let notifier: SystemdNotifier
    let logger: Logger
    /// The installed binary's check of the configuration.
    var checkTimeout: Duration = .seconds(30)

    private var prepare: Prepare?
    private var inProgress = false

    init(
        configPath: String, arguments: [String], config: ClusterConfig, key: ClusterKey, runtime: any CoordinationRuntime,
        sequence: TakeoverSequence, lock: SharedStorageLock, events: EventHub, notifier: SystemdNotifier, logger: Logger
    ) {
        self.configPath = configPath
        self.arguments = arguments
        self.config = config
        self.key = key
        self.runtime = runtime
        self.sequence = sequence
        self.lock = lock
        self.events = events
        self.notifier = notifier
        self.logger = logger
    }

    func setPrepare(_ prepare: @escaping Prepare) {
        self.prepare = prepare
    }

    /// Checks, then (check passed) suspends the runtime and returns; the re-execution follows
    /// a moment later (after the caller's answer went out). A refusal changes nothing.
    func reload(trigger: String) async -> Result<ReloadAccepted, Refusal> {
        guard !inProgress else { return .failure(Refusal(reason: "another reload is in progress")) }
        guard prepare != nil else { return .failure(Refusal(reason: "the daemon is still starting")) }
        inProgress = true
        logger.notice("reload requested", metadata: ["trigger": "\(trigger)", "config": "\(configPath)"])
        let binary: String
        do {
            binary = try Self.installedBinary()
        } catch {
            inProgress = false
            return .failure(error)
        }
        if let refusal = await check(binary: binary) {
            inProgress = false
            logger.error("\(refusal)", metadata: ["trigger": "\(trigger)"])
            events.publish(EventRecord(kind: .reloadRefused, severity: .error, message: refusal.description))
            return .failure(refusal)
        }
        // From here on the node is silent until the next image runs (the gap the log reports).
        if let blocker = await sequence.isBusy ? "a takeover or release is in progress; retry once it is done" : nil {
            inProgress = false
            return .failure(Refusal(reason: blocker))
        }
        let suspended: RuntimeHandover
        switch await runtime.suspendForHandover() {
        case let .success(handover): suspended = handover
        case let .failure(error):
            inProgress = false
            let refusal = Refusal(reason: "\(error)")
            logger.error("\(refusal)", metadata: ["trigger": "\(trigger)"])
            return .failure(refusal)
        }
        guard let held = await sequence.suspendForHandover() else {
            // Unreachable: no effect runs once the runtime is suspended. Going on unsuspended is
            // impossible, so the safe way out is the ordinary one: exit and let a restart release.
            logger.critical("the takeover sequence became busy during a reload; exiting")
            exit(1)
        }
        let handover = DaemonHandover(
            runtime: suspended, takeover: held, events: events.recent(), binary: binary, trigger: trigger)
        let accepted = ReloadAccepted(binary: binary, config: configPath, pid: getpid())
        Task { await self.execute(handover, binary: binary) }
        return .success(accepted)
    }

    /// Why the new configuration cannot be used, or nil.
    private func check(binary: String) async -> Refusal? {
        let result: ChildProcess.Result
        do {
            result = try await ChildProcess.run([binary, "--check-config", "--config", configPath], timeout: checkTimeout)
        } catch {
            return Refusal(reason: "cannot run \(binary) --check-config: \(error)")
        }
        guard result.succeeded else {
            let output = (result.stderr + result.stdout).split(separator: "\n")
                .map { $0.hasPrefix("haclusterd: ") ? String($0.dropFirst("haclusterd: ".count)) : String($0) }
                .joined(separator: "\n")
            let why = result.timedOut ? "no answer within \(checkTimeout)" : output.trimmingWhitespace()
            return Refusal(reason: "the configuration is invalid (checked by \(binary)): \(why)")
        }
        let new: ClusterConfig
        do {
            new = try ConfigLoader.load(path: configPath, checkFiles: true)
        } catch {
            return Refusal(reason: "\(binary) accepts the configuration but the running haclusterd cannot read it (\(error)); install the new binary and reload with the configuration unchanged first, then edit it and reload again")
        }
        let newKey = try? ClusterKey.load(path: new.cluster.keyFile)
        let holding = await sequence.holdsAnything
        let source = try? String(contentsOfFile: configPath, encoding: .utf8)
        let refusals = ConfigReloadRules.refusals(
            running: config, new: new, keyChanged: newKey?.bytes != key.bytes, newSource: source, holdingService: holding,
            members: await runtime.recordedMembers())
        guard refusals.isEmpty else {
            return Refusal(reason: refusals.map(\.description).joined(separator: "\n"))
        }
        return nil
    }

    /// Replaces this process's image by `binary`, keeping the PID. Never returns.
    private func execute(_ handover: DaemonHandover, binary: String) async -> Never {
        // Let the answer to the control request go out first.
        try? await Task.sleep(for: .milliseconds(20))
        await prepare?()
        // systemd >= 253 wants MONOTONIC_USEC with RELOADING=1 (Type=notify-reload); older ones ignore it.
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        let usec = UInt64(spec.tv_sec) * 1_000_000 + UInt64(spec.tv_nsec) / 1000
        notifier.send("RELOADING=1\nMONOTONIC_USEC=\(usec)\nSTATUS=reloading: re-executing \(binary)")
        // Only the hand-over and the lock's descriptor go to the next image: the event loop's
        // sockets (control connections, ...) are opened without FD_CLOEXEC.
        if hacd_cloexec_from(3) != 0 {
            logger.warning("close_range(CLOSE_RANGE_CLOEXEC): \(String(cString: strerror(errno))); descriptors may leak into the next image")
        }
        let lockDescriptor = await lock.descriptorForExec()
        do {
            _ = try handover.export(lockDescriptor: lockDescriptor)
        } catch {
            logger.critical("cannot hand the state over to the next image: \(error); exiting (a restart releases the service)")
            exit(1)
        }
        logger.notice("re-executing in place", metadata: ["binary": "\(binary)", "pid": "\(getpid())"])
        Self.exec(binary, arguments: arguments)
        let first = errno
        // The installed binary would not start: go on with this image (still on disk or not).
        logger.error("execve \(binary): \(String(cString: strerror(first))); re-executing the running image instead")
        Self.exec("/proc/self/exe", arguments: arguments)
        logger.critical("execve /proc/self/exe: \(String(cString: strerror(errno))); exiting (a restart releases the service)")
        exit(1)
    }

    private static func exec(_ path: String, arguments: [String]) {
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        execv(path, argv)
        for pointer in argv { free(pointer) }
    }

    /// The path this process's binary was started from; a replaced binary is looked up at the
    /// same path (`/proc/self/exe` then reads "PATH (deleted)").
    static func installedBinary() throws(Refusal) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else {
            throw Refusal(reason: "cannot read /proc/self/exe: \(String(cString: strerror(errno)))")
        }
        var path = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if path.hasSuffix(" (deleted)") { path.removeLast(" (deleted)".count) }
        guard access(path, X_OK) == 0 else {
            throw Refusal(reason: "no executable haclusterd at \(path) (this process's path): \(String(cString: strerror(errno)))")
        }
        return path
    }
}
