import ClusterCore
import Synchronization
/// Adds and removes the floating IP address(es) with iproute2 and announces them.
///
/// IPv4: before adding, duplicate address detection (`arping -D`) asks the segment whether
/// anyone answers for the address; an answer is `AddressError.alreadyInUse` and the address
/// is not added. After adding, `arp_count` gratuitous ARPs (`arping -U`, one per second) tell
/// neighbours and switches the new MAC: `add` returns once arping is started (it sends the
/// first at once), without waiting for it: the unit's start then overlaps the announcements,
/// and a failure of arping after its start is passed to `onAnnouncementFailure`.
///
/// IPv6: the kernel checks for duplicates itself: the address is added with DAD (a
/// `dadfailed` flag is reported as `alreadyInUse`). Once DAD is done, `arp_count` unsolicited
/// neighbour advertisements (`ndptool send -t na -U`, Override flag set, the interface's MAC
/// as target link-layer address, to all nodes; one per second) do what the gratuitous ARPs
/// do for IPv4: the first is sent before `add` returns, the rest in the background, a late
/// failure passed to `onAnnouncementFailure`. The kernel's own `ndisc_notify` is not used (it
/// sends one advertisement, whatever `arp_count` says).
///
/// Every command runs with a bounded time; its stderr is part of the error.
public struct FloatingAddress: AddressControlling {
    /// Prepended to every command, e.g. `["ip", "netns", "exec", "ns1"]` to act inside a
    /// network namespace. Empty in production.
    public var commandPrefix: [String]
    public var commandTimeout: Duration
    /// Called when a background announcement fails after `add` returned.
    public var onAnnouncementFailure: @Sendable (AddressError) -> Void

    public init(
        commandPrefix: [String] = [],
        commandTimeout: Duration = .seconds(5),
        onAnnouncementFailure: @escaping @Sendable (AddressError) -> Void = { _ in }
    ) {
        self.commandPrefix = commandPrefix
        self.commandTimeout = commandTimeout
        self.onAnnouncementFailure = onAnnouncementFailure
    }

    public func add(_ ip: FloatingIPConfig) async throws {
        try validate(ip)
        let addresses = try await localAddresses()
        let interface = try ip.interface ?? Self.interface(for: ip, among: addresses)
        let present = addresses.contains {
            $0.address == ip.address && $0.interface == interface && !$0.flags.contains("dadfailed")
        }
        if present {
            // Already ours (e.g. the daemon restarted while active): announce it again.
            if ip.arpCount > 0 { try await announce(ip, interface: interface) }
            return
        }
        if ip.isIPv6 {
            try await addIPv6(ip, interface: interface)
            if ip.arpCount > 0 { try await announce(ip, interface: interface) }
            return
        }
        if ip.duplicateCheck > .zero {
            try await checkNotInUse(ip, interface: interface)
        }
        let add = try await run(["ip", "addr", "add", ip.cidr, "dev", interface])
        if !add.succeeded && !add.stderr.contains("File exists") {
            throw Self.failure(add, timeout: commandTimeout)
        }
        if ip.arpCount > 0 {
            try await announce(ip, interface: interface)
        }
    }

    public func remove(_ ip: FloatingIPConfig) async throws {
        try validate(ip)
        // A node never announces an address it gave up: end the announcement still running.
        Self.announcements.withLock { $0.removeValue(forKey: announcementKey(ip)) }?.stop()
        let holders = try await localAddresses().filter { $0.address == ip.address }
            .filter { ip.interface == nil || $0.interface == ip.interface }
        for holder in holders {
            let family = ip.isIPv6 ? "-6" : "-4"
            let result = try await run(["ip", family, "addr", "del", "\(ip.address)/\(holder.prefixLength)", "dev", holder.interface])
            // Gone in between (or never there): removal is idempotent.
            if !result.succeeded && !result.stderr.contains("Cannot assign requested address") {
                throw Self.failure(result, timeout: commandTimeout)
            }
        }
    }

    /// The interfaces holding `ip` on this node (normally none or one).
    public func holders(of ip: FloatingIPConfig) async throws -> [String] {
        try await localAddresses().filter { $0.address == ip.address && !$0.flags.contains("dadfailed") }.map(\.interface)
    }

    /// The interface that has an address on the floating address's subnet (the first one, in
    /// interface order), not counting the floating address itself.
    static func interface(for ip: FloatingIPConfig, among addresses: [InterfaceAddress]) throws -> String {
        let candidate = addresses.first {
            $0.isIPv6 == ip.isIPv6 && $0.address != ip.address
                && InterfaceAddress.sameSubnet($0.address, ip.address, prefixLength: ip.prefixLength)
        }
        guard let candidate else { throw AddressError.noInterfaceOnSubnet(address: ip.cidr) }
        return candidate.interface
    }

    // MARK: Steps

    private func validate(_ ip: FloatingIPConfig) throws {
        guard let bytes = InterfaceAddress.bytes(of: ip.address), ip.prefixLength >= 0, ip.prefixLength <= bytes.count * 8 else {
            throw AddressError.invalidAddress(ip.cidr)
        }
    }

    private func localAddresses() async throws -> [InterfaceAddress] {
        let result = try await run(["ip", "-o", "addr", "show"])
        guard result.succeeded else { throw Self.failure(result, timeout: commandTimeout) }
        return InterfaceAddress.parse(ipOutput: result.stdout)
    }

    /// `arping -D`: exit 0 = no answer, 1 = someone answered ("Unicast reply from A [MAC]"),
    /// which ends it at once. Stopped after the address's `duplicate_check` without an answer:
    /// free (arping's own wait is whole seconds; a holder on the same segment answers in well
    /// under a millisecond, the rest is process start-up).
    private func checkNotInUse(_ ip: FloatingIPConfig, interface: String) async throws {
        let result = try await run(["arping", "-D", "-c", "1", "-w", "2", "-I", interface, ip.address],
                                   timeout: ip.duplicateCheck)
        if result.succeeded || result.timedOut { return }
        if result.status == 1, !result.timedOut {
            let reply = result.stdout.split(separator: "\n").first { $0.hasPrefix("Unicast reply") }
            let holder = reply.flatMap { line in
                line.firstIndex(of: "[").flatMap { start in
                    line[start...].firstIndex(of: "]").map { String(line[line.index(after: start)..<$0]) }
                }
            }
            throw AddressError.alreadyInUse(address: ip.address, interface: interface, holder: holder ?? "an unknown host")
        }
        throw Self.failure(result, timeout: commandTimeout)
    }

    /// The announcements still running (`arping -U`, or the task sending the neighbour
    /// advertisements; about `arp_count` seconds each), one per address and namespace.
    /// `remove` ends the address's one before deleting the address: a move within `arp_count`
    /// seconds of a takeover used to leave the old node announcing the address after the new
    /// node took it, and each late announcement pointed neighbours (a client, a router) back
    /// at the old node, where the traffic was lost.
    private static let announcements = Mutex<[String: RunningAnnouncement]>([:])
    private static let announcementIDs = Atomic<UInt64>(0)

    private struct RunningAnnouncement: Sendable {
        var id: UInt64
        var stop: @Sendable () -> Void
    }

    private func announcementKey(_ ip: FloatingIPConfig) -> String {
        (commandPrefix + [ip.address]).joined(separator: " ")
    }

    /// Registers a new announcement for `key`, ending the previous one still running.
    private static func register(_ key: String, stop: @escaping @Sendable () -> Void) -> UInt64 {
        let id = announcementIDs.add(1, ordering: .relaxed).newValue
        announcements.withLock { $0.updateValue(RunningAnnouncement(id: id, stop: stop), forKey: key) }?.stop()
        return id
    }

    private static func unregister(_ key: String, id: UInt64) {
        announcements.withLock { if $0[key]?.id == id { $0[key] = nil } }
    }

    private func announce(_ ip: FloatingIPConfig, interface: String) async throws {
        if ip.isIPv6 {
            try await advertise(ip, interface: interface)
        } else {
            try await sendGratuitousARPs(ip, interface: interface)
        }
    }

    /// Starts `arping -U -c arp_count` (ending the address's previous announcement, if still
    /// running). Returns once it is spawned (a missing arping throws): waiting to see it did not
    /// fail at once cost every takeover 30 ms; a failure after the spawn is reported through
    /// `onAnnouncementFailure` like a late one.
    private func sendGratuitousARPs(_ ip: FloatingIPConfig, interface: String) async throws {
        let command = commandPrefix + ["arping", "-U", "-c", String(ip.arpCount), "-I", interface, ip.address]
        let report = onAnnouncementFailure
        let total = Duration.seconds(ip.arpCount + 2)
        let handle = ChildProcess.Handle()
        let key = announcementKey(ip)
        let id = Self.register(key) { handle.kill() }
        let early: ChildProcess.Result?
        do {
            early = try await ChildProcess.start(command, grace: .zero, timeout: total, handle: handle) { result in
                Self.unregister(key, id: id)
                if !result.succeeded && !handle.wasKilled { report(Self.failure(result, timeout: total)) }
            }
        } catch {
            throw AddressError.cannotRun(command: command.joined(separator: " "), errno: Self.code(of: error))
        }
        if let early, !early.succeeded {
            throw Self.failure(early, timeout: total)
        }
    }

    /// Sends `arp_count` unsolicited neighbour advertisements, one per second (ending the
    /// address's previous announcement, if still running): the first one before returning,
    /// the others from a task that `remove` cancels.
    private func advertise(_ ip: FloatingIPConfig, interface: String) async throws {
        let command = ["ndptool", "send", "-t", "na", "-U", "-i", interface, "-T", ip.address]
        let key = announcementKey(ip)
        Self.announcements.withLock { $0.removeValue(forKey: key) }?.stop()
        let first = try await run(command)
        guard first.succeeded else { throw Self.failure(first, timeout: commandTimeout) }
        guard ip.arpCount > 1 else { return }
        let full = commandPrefix + command
        let (report, timeout, count) = (onAnnouncementFailure, commandTimeout, ip.arpCount)
        let gate = Mutex<UInt64?>(nil)
        let task = Task {
            defer { if let id = gate.withLock({ $0 }) { Self.unregister(key, id: id) } }
            for _ in 1..<count {
                do { try await Task.sleep(for: .seconds(1)) } catch { return }
                let result: ChildProcess.Result
                do throws(ChildProcessError) {
                    result = try await ChildProcess.run(full, timeout: timeout)
                } catch {
                    report(.cannotRun(command: full.joined(separator: " "), errno: Self.code(of: error)))
                    return
                }
                if Task.isCancelled { return }
                if !result.succeeded {
                    report(Self.failure(result, timeout: timeout))
                    return
                }
            }
        }
        let id = Self.register(key) { task.cancel() }
        gate.withLock { $0 = id }
    }

    private func addIPv6(_ ip: FloatingIPConfig, interface: String) async throws {
        let add = try await run(["ip", "-6", "addr", "add", ip.cidr, "dev", interface])
        if !add.succeeded && !add.stderr.contains("File exists") {
            throw Self.failure(add, timeout: commandTimeout)
        }
        // Kernel DAD: DupAddrDetectTransmits (1) × RetransTimer (1 s) by default.
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(3)
        while clock.now < deadline {
            let entry = try await localAddresses().first { $0.address == ip.address && $0.interface == interface }
            if let entry, entry.flags.contains("dadfailed") {
                _ = try? await run(["ip", "-6", "addr", "del", ip.cidr, "dev", interface])
                throw AddressError.alreadyInUse(address: ip.address, interface: interface, holder: "a neighbour (IPv6 DAD failed)")
            }
            if let entry, !entry.flags.contains("tentative") { return }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    // MARK: Commands

    private func run(_ command: [String], timeout: Duration? = nil) async throws -> ChildProcess.Result {
        let full = commandPrefix + command
        do {
            return try await ChildProcess.run(full, timeout: timeout ?? commandTimeout)
        } catch {
            throw AddressError.cannotRun(command: full.joined(separator: " "), errno: Self.code(of: error))
        }
    }

    private static func code(of error: ChildProcessError) -> Int32 {
        switch error {
        case let .spawnFailed(_, code): code
        }
    }

    static func failure(_ result: ChildProcess.Result, timeout: Duration) -> AddressError {
        let command = result.command.joined(separator: " ")
        if result.timedOut { return .commandTimedOut(command: command, after: timeout) }
        return .commandFailed(command: command, status: result.status, detail: result.diagnostic)
    }
}
