import ClusterHost
import ClusterCore
import FoundationEssentials

/// Fences nodes through the devices of a `ClusterConfig` (the `Fencer` that takeover
/// and `hactl fence` use):
///
/// - levels for the target are tried in ascending order; a level succeeds only when
///   **every** device of the level succeeds (devices run one after the other, in
///   configuration order); the first successful level ends the operation;
/// - the delay the caller passes (the fence race delay the core decided,
///   `ElectionNode.fenceDelay(for:)`) once per operation; then, for each device, its
///   `delay`, then the
///   configured action (`reboot`, or `off` when the agent has no `reboot`, or `off`
///   when configured), retried by `FenceRetryPolicy`; after success, the power state is
///   confirmed with `status` when the agent has it (`off` must read OFF; `reboot` any
///   definite state);
/// - every attempt, success and failure is an event (`fence.*`);
/// - concurrent requests for the same node share one operation;
/// - an operation runs in its own task: cancelling a caller does not cut a race delay short
///   or abandon an agent half-way (a fence must finish or fail on its own).
public actor FenceCoordinator: Fencer {
    public typealias EventSink = @Sendable (EventRecord) -> Void

    public let config: ClusterConfig
    public let localNode: String
    private let runner: FenceAgentRunner
    private let metadataCache: AgentMetadataCache
    private let retry: FenceRetryPolicy
    private let events: EventSink
    private let sleep: @Sendable (Duration) async -> Void
    private let storageFence: PoisonPillFence?
    private var inFlight: [String: Task<FenceOutcome, Never>] = [:]

    /// - Parameters:
    ///   - sleep: waits for delays and retry pauses (tests may shorten it; default `Task.sleep`).
    ///   - storageFence: what runs the devices with `agent = "storage"` (none: they fail).
    public init(
        config: ClusterConfig,
        localNode: String,
        runner: FenceAgentRunner? = nil,
        metadataCache: AgentMetadataCache? = nil,
        retry: FenceRetryPolicy = .pacemaker,
        events: @escaping EventSink = { _ in },
        sleep: @escaping @Sendable (Duration) async -> Void = { try? await Task.sleep(for: $0) },
        storageFence: PoisonPillFence? = nil
    ) {
        let runner = runner ?? FenceAgentRunner(agentDirectory: config.fencing.agentDir)
        self.config = config
        self.localNode = localNode
        self.runner = runner
        self.metadataCache = metadataCache ?? AgentMetadataCache(runner: runner)
        self.retry = retry
        self.events = events
        self.sleep = sleep
        self.storageFence = storageFence
    }

    /// Automatic fencing of a takeover (never delayed: see `Action.takeover`).
    public func fence(node: String, reason: String) async -> FenceOutcome {
        await fence(node: node, reason: reason, trigger: .automatic)
    }

    /// Fences `node` through its levels; returns once it is confirmed fenced or every level failed.
    /// - Parameter delay: waited first, once (the `two_node` race delay the core decided; zero
    ///   for manual fencing). A request that joins an operation in flight shares its delay.
    public func fence(node: String, reason: String, trigger: FenceTrigger, delay: Duration = .zero) async -> FenceOutcome {
        if let running = inFlight[node] { return await running.value }
        let task = Task { await self.runOperation(node: node, reason: reason, trigger: trigger, delay: delay) }
        inFlight[node] = task
        let outcome = await task.value
        inFlight[node] = nil
        return outcome
    }

    private func runOperation(node: String, reason: String, trigger: FenceTrigger, delay: Duration) async -> FenceOutcome {
        let start = ContinuousClock.now
        let levels = config.fencing.levels(for: node)
        func outcome(_ succeeded: Bool, level: Int? = nil, devices: [String] = [], detail: String) -> FenceOutcome {
            FenceOutcome(node: node, succeeded: succeeded, level: level, devices: devices, detail: detail,
                         durationMilliseconds: start.duration(to: .now).wholeMilliseconds)
        }
        guard config.fencing.enabled else {
            let result = outcome(false, detail: "fencing is disabled ([fencing] enabled = false)")
            emit(.fenceFailed, .error, "cannot fence \(node) (\(reason)): \(result.detail)")
            return result
        }
        guard !levels.isEmpty else {
            let result = outcome(false, detail: FenceError.noDeviceForNode(node: node).description)
            emit(.fenceFailed, .error, "cannot fence \(node) (\(reason)): \(result.detail)")
            return result
        }
        emit(.fenceStarted, .notice, "fencing \(node) (\(reason), \(trigger.rawValue)): \(levels.count) level(s)")

        if delay > .zero {
            emit(.fenceRaceDelay, .notice,
                 "waiting \(delay.fenceDescription) before fencing \(node): 2-node fence race, \(node) fences first")
            await sleep(delay)
        }

        var failures: [String] = []
        for (level, devices) in levels {
            var levelFailed = false
            for device in devices {
                do throws(FenceError) {
                    try await fence(node: node, with: device, level: level)
                } catch {
                    failures.append("level \(level): \(error.description)")
                    emit(.fenceLevelFailed, .warning,
                         "level \(level) cannot fence \(node): device \(device.name) failed: \(error.description)")
                    levelFailed = true
                    break
                }
            }
            if !levelFailed {
                let names = devices.map(\.name)
                let result = outcome(true, level: level, devices: names,
                                     detail: "\(node) fenced at level \(level) by \(names.joined(separator: ", "))")
                emit(.fenceSucceeded, .notice, result.detail, duration: result.durationMilliseconds)
                return result
            }
        }
        let result = outcome(false, detail: "every level failed to fence \(node): " + failures.joined(separator: "; "))
        emit(.fenceFailed, .error, result.detail, duration: result.durationMilliseconds)
        return result
    }

    /// One device of a level: delay, action with retries, confirmation.
    private func fence(node: String, with device: FenceDeviceConfig, level: Int) async throws(FenceError) {
        if device.isStorage { return try await fenceThroughStorage(node: node, with: device, level: level) }
        let metadata = try await metadataCache.metadata(for: device.agent)
        var action: FenceAction = config.fencing.action == .off ? .off : .reboot
        if action == .reboot && !metadata.supports(.reboot) { action = .off }
        guard metadata.supports(action) else {
            throw .unsupportedAction(device: device.name, agent: device.agent, action: action)
        }
        if device.delay > .zero {
            emit(.fenceDelay, .info, "device \(device.name): waiting delay \(device.delay.fenceDescription) before \(action.rawValue) of \(node)")
            await sleep(device.delay)
        }

        let timeout = config.fencing.timeout
        let start = ContinuousClock.now
        var attempt = 1
        while true {
            // The first attempt gets the whole timeout, a retry what is left of it.
            let attemptTimeout = attempt == 1 ? timeout : max(timeout - start.duration(to: .now), .milliseconds(100))
            emit(.fenceAttempt, .info,
                 "device \(device.name) (\(device.agent)): \(action.rawValue) \(node), level \(level), attempt \(attempt)/\(retry.maxAttempts)",
                 device: device.name)
            do throws(FenceError) {
                let run = try await runner.perform(device: device, action: action, node: node, metadata: metadata,
                                                   timeout: attemptTimeout)
                emit(.fenceAttemptSucceeded, .info,
                     "device \(device.name) (\(device.agent)): \(action.rawValue) \(node) succeeded" + Self.summary(run.stdout),
                     duration: run.duration.wholeMilliseconds, device: device.name)
                break
            } catch {
                emit(.fenceAttemptFailed, .warning, "attempt \(attempt): \(error.description)", device: device.name)
                let elapsed = start.duration(to: .now)
                guard retry.mayRetry(after: attempt, elapsed: elapsed, timeout: timeout) else { throw error }
                await sleep(retry.pause)
                attempt += 1
            }
        }

        guard metadata.supports(.status) else { return }
        let status = try await runner.run(device: device, action: .status, node: node, metadata: metadata, timeout: timeout)
        let state = status.powerStatus
        let confirmed = action == .off ? state == .off : state != .unknown
        let expected = action == .off ? "OFF" : "ON or OFF"
        guard confirmed else {
            let got = state == .unknown ? "unknown (exit status \(status.exitCode))" : state.rawValue.uppercased()
            throw .notConfirmed(device: device.name, agent: device.agent, expected: expected, got: got)
        }
        emit(.fenceConfirmed, .info, "device \(device.name): \(node) is \(state.rawValue.uppercased()) after \(action.rawValue)")
    }

    /// A device with `agent = "storage"`: the poison pill, then `msgwait`, then the check that
    /// the victim's disk heartbeat stopped (`PoisonPillFence`). Not retried: a second pill
    /// would restart the wait.
    private func fenceThroughStorage(node: String, with device: FenceDeviceConfig, level: Int) async throws(FenceError) {
        guard let storageFence else {
            throw .storage(device: device.name, reason: "this node has no arbiter file open ([quorum] tie_breaker = \"storage\" is required)")
        }
        if device.delay > .zero {
            emit(.fenceDelay, .info, "device \(device.name): waiting delay \(device.delay.fenceDescription) before the poison pill for \(node)")
            await sleep(device.delay)
        }
        let msgwait = config.fencing.msgwait(of: device)
        emit(.fenceAttempt, .info, "device \(device.name) (storage): poison pill for \(node), level \(level), msgwait \(msgwait.fenceDescription)",
             device: device.name)
        let start = ContinuousClock.now
        let events = self.events
        let confirmed = try await storageFence.fence(node: node, device: device.name, msgwait: msgwait, ioTimeout: config.fencing.timeout) {
            events(EventRecord(kind: $0, severity: $1, message: $2))
        }
        emit(.fenceAttemptSucceeded, .info, "device \(device.name) (storage): \(node) fenced by poison pill",
             duration: start.duration(to: .now).wholeMilliseconds, device: device.name)
        emit(.fenceConfirmed, .info, "device \(device.name): \(confirmed)")
    }

    private static func summary(_ stdout: String) -> String {
        guard let line = stdout.split(separator: "\n").last(where: { !$0.isEmpty }) else { return "" }
        return ": " + String(line.prefix(200))
    }

    private func emit(_ kind: EventKind, _ severity: ClusterEvent.Severity, _ message: String, duration: Int? = nil, device: String? = nil) {
        events(EventRecord(kind: kind, severity: severity, message: message, durationMilliseconds: duration, device: device))
    }
}
