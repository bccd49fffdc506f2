import CSystemd
import Foundation
import Glibc
import Synchronization

/// Adds and removes the floating IP address(es) with iproute2 and announces them.
///
/// IPv4: before adding, duplicate address detection (`arping -D`) asks the segment whether
/// anyone answers for the address; an answer is `AddressError.alreadyInUse` and the address
/// is not added. After adding, `arp_count` gratuitous ARPs (`arping -U`, one per second) tell
/// neighbours and switches the new MAC: the first leaves at once, `add` returns without
/// waiting for the rest, and a late failure is passed to `onAnnouncementFailure`.
/// `remove` first ends an announcement still running for the address (killed, and waited
/// for), then deletes the address: a node never announces an address it gave up. (It did:
/// a move within `arp_count` seconds of a takeover left the old node announcing the address
/// after the new node took it. Each late announcement pointed every neighbour's entry — a
/// client's, a router's — back at the old node, where the traffic was lost until the new
/// node's next announcement, for good after its last one; and one that came during the new
/// node's duplicate check made it refuse the address.)
///
/// IPv6: no arping equivalent ships with Debian, so the kernel does both jobs: the address is
/// added with DAD (a `dadfailed` flag is reported as `alreadyInUse`), and
/// `net.ipv6.conf.IF.ndisc_notify = 1` makes the kernel send an unsolicited neighbour
/// advertisement once DAD completes (one NA; `arp_count` does not apply).
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
            if !ip.isIPv6 && ip.arpCount > 0 { try await announce(ip, interface: interface) }
            return
        }
        if ip.isIPv6 {
            try await addIPv6(ip, interface: interface)
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
        await Announcers.shared.stop(key: announcementKey(ip))
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

    /// Starts `arping -U -c arp_count` (ending the address's previous announcement, if still
    /// running); waits only long enough to see it did not fail at once.
    private func announce(_ ip: FloatingIPConfig, interface: String) async throws {
        let command = commandPrefix + ["arping", "-U", "-c", String(ip.arpCount), "-I", interface, ip.address]
        let report = onAnnouncementFailure
        let total = Duration.seconds(ip.arpCount + 2)
        let early: ChildProcess.Result?
        do {
            early = try await Announcers.shared.start(
                command, key: announcementKey(ip), grace: .milliseconds(30), timeout: total
            ) { result in
                if !result.succeeded { report(Self.failure(result, timeout: total)) }
            }
        } catch {
            throw AddressError.cannotRun(command: command.joined(separator: " "), errno: Self.code(of: error))
        }
        if let early, !early.succeeded {
            throw Self.failure(early, timeout: total)
        }
    }

    /// Announcements are per address and namespace (the command prefix).
    private func announcementKey(_ ip: FloatingIPConfig) -> String {
        (commandPrefix + [ip.address]).joined(separator: " ")
    }

    private func addIPv6(_ ip: FloatingIPConfig, interface: String) async throws {
        let notify = try await run(["sysctl", "-q", "-w", "net.ipv6.conf.\(interface).ndisc_notify=1"])
        guard notify.succeeded else { throw Self.failure(notify, timeout: commandTimeout) }
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

/// The announcements (`arping -U`, about `arp_count` seconds each) still running in this
/// process, one per address: started by `FloatingAddress.add`, ended by `remove` before the
/// address goes. Each runs in its own process group, read and reaped by a thread of its own,
/// which leaves it a zombie until it is off the table, so `stop` never signals a reused pid.
final class Announcers: Sendable {
    static let shared = Announcers()

    private struct Running: Sendable {
        var pid: pid_t
        var stopped = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let running = Mutex<[String: Running]>([:])

    /// Starts `command` as the announcement for `key`, after ending the one running for it.
    /// Returns its result if it ended within `grace`, nil while it runs on; it is killed
    /// after `timeout`. `onExit` hears how it ended, unless `stop` ended it.
    func start(
        _ command: [String], key: String, grace: Duration, timeout: Duration,
        onExit: @escaping @Sendable (ChildProcess.Result) -> Void
    ) async throws(ChildProcessError) -> ChildProcess.Result? {
        await stop(key: key)
        var errPipe: [Int32] = [-1, -1]
        guard hacd_pipe2(&errPipe, O_CLOEXEC) == 0 else { throw .spawnFailed(command: command, errno: errno) }
        let devNull = open("/dev/null", O_WRONLY | O_CLOEXEC)
        let pid: pid_t
        do {
            pid = try IsolatedSpawn.spawn(command, environment: ChildProcess.environment, searchPath: true,
                                          stdin: nil, stdout: devNull, stderr: errPipe[1])
        } catch {
            close(errPipe[0]); close(errPipe[1]); close(devNull)
            throw .spawnFailed(command: command, errno: error.errno)
        }
        close(errPipe[1]); close(devNull)
        let errRead = errPipe[0]
        running.withLock { $0[key] = Running(pid: pid) }

        let outcome = Outcome()
        let reaper = Thread { [self] in
            let (stderr, timedOut) = Self.readUntilExit(errRead, group: pid, timeout: timeout)
            // Exited (a zombie, its pid still taken): off the table, then reaped.
            var info = siginfo_t()
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
            let (stopped, waiters) = running.withLock { table -> (Bool, [CheckedContinuation<Void, Never>]) in
                guard let entry = table[key], entry.pid == pid else { return (false, []) }
                table[key] = nil
                return (entry.stopped, entry.waiters)
            }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            let result = ChildProcess.Result(command: command, status: exitStatus, stdout: "", stderr: stderr, timedOut: timedOut)
            outcome.value.withLock { $0 = result }
            waiters.forEach { $0.resume() }
            if !stopped { onExit(result) }
        }
        reaper.name = "announce \(key)"
        reaper.start()

        let clock = ContinuousClock()
        let end = clock.now + grace
        while clock.now < end {
            if let result = outcome.value.withLock({ $0 }) { return result }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return outcome.value.withLock { $0 }
    }

    /// Kills the announcement running for `key` (its whole process group) and returns once
    /// it is gone; returns at once when none runs.
    func stop(key: String) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let waiting = running.withLock { table -> Bool in
                guard var entry = table[key] else { return false }
                if !entry.stopped {
                    entry.stopped = true
                    kill(-entry.pid, SIGKILL)
                }
                entry.waiters.append(continuation)
                table[key] = entry
                return true
            }
            if !waiting { continuation.resume() }
        }
    }

    /// Reads `fd` (the child's stderr) until EOF, or kills `group` at the deadline.
    private static func readUntilExit(_ fd: Int32, group: pid_t, timeout: Duration) -> (String, Bool) {
        defer { close(fd) }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var text: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let remaining = clock.now.duration(to: deadline)
            if remaining <= .zero {
                kill(-group, SIGKILL)
                return (String(decoding: text, as: UTF8.self), true)
            }
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, Int32(min(remaining.milliseconds + 1, 1000)))
            if ready < 0 && errno != EINTR { break }
            guard ready > 0 else { continue }
            let count = read(fd, &buffer, buffer.count)
            if count > 0 {
                if text.count < ChildProcess.outputLimit { text += buffer[0..<count] }
            } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                break
            }
        }
        return (String(decoding: text, as: UTF8.self), false)
    }

    private final class Outcome: Sendable {
        let value = Mutex<ChildProcess.Result?>(nil)
    }
}
