#if Etcd
import ClusterCore
import ClusterHost

/// Keeps one etcd lease alive and says, by the lease margin rule (`EtcdLeaseHold`), whether this
/// node may still act on it: keep-alives every TTL/3, each renewing the hold from the time it
/// was sent; after a failed one, retries every `retryInterval` (the next member may be electing a
/// leader) until the hold runs out. Once the hold has run out, or the server says the lease is
/// gone, the keeper stops and `lost` says why: the node must stop acting and grant a new lease.
public actor EtcdLeaseKeeper {
    public let client: EtcdClient
    public let ttl: Duration
    public let retryInterval: Duration
    private var hold: EtcdLeaseHold
    private var loop: Task<Void, Never>?
    public private(set) var lease: EtcdClient.Lease?
    /// Why the lease was lost (nil while it is held, or before `start()`).
    public private(set) var lost: String?
    /// Keep-alives that failed (each names the endpoint), for status and logs.
    public private(set) var failedKeepAlives: UInt64 = 0

    public init(client: EtcdClient, ttl: Duration, maxClockDrift: Double = 0.01, retryInterval: Duration = .milliseconds(100)) {
        self.client = client
        self.ttl = ttl
        self.retryInterval = retryInterval
        self.hold = EtcdLeaseHold(maxClockDrift: maxClockDrift)
    }

    /// Grants a lease and starts keeping it alive. Throws when the grant fails.
    @discardableResult
    public func start() async throws(EtcdError) -> EtcdClient.Lease {
        stopLoop()
        hold.drop()
        lost = nil
        let sent = SystemClock.monotonicNow()
        let granted = try await client.grantLease(ttl: ttl)
        hold.renewed(sentAt: sent, answeredAt: SystemClock.monotonicNow(), ttl: min(granted.ttl, ttl))
        lease = granted
        let id = granted.id
        loop = Task { [weak self] in await self?.keepAlive(id) }
        return granted
    }

    /// Whether this node may act on the lease now.
    public var holds: Bool { hold.holds(at: SystemClock.monotonicNow()) }

    /// Until when it may (monotonic, `SystemClock`); nil: no lease held.
    public var deadline: Instant? { hold.deadline }

    /// Stops keeping the lease alive; `revoke` also deletes it on the server (a clean hand-back:
    /// every key bound to it goes at once). The hold ends here in both cases.
    public func stop(revoke: Bool) async {
        stopLoop()
        hold.drop()
        if revoke, let id = lease?.id { try? await client.revoke(id) }
        lease = nil
    }

    private func stopLoop() {
        loop?.cancel()
        loop = nil
    }

    private func keepAlive(_ id: Int64) async {
        let interval = EtcdLeaseHold.keepAliveInterval(ttl: ttl)
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            while !Task.isCancelled {
                let sent = SystemClock.monotonicNow()
                do {
                    let answered = try await client.keepAlive(id)
                    // stop() or a new start() may have run while the call was out: its answer must
                    // not renew a hold they dropped.
                    guard !Task.isCancelled else { return }
                    hold.renewed(sentAt: sent, answeredAt: SystemClock.monotonicNow(), ttl: min(answered, ttl))
                    break
                } catch .leaseExpired {
                    giveUp("the server no longer knows lease \(String(id, radix: 16))")
                    return
                } catch {
                    failedKeepAlives += 1
                    guard hold.holds(at: SystemClock.monotonicNow()) else {
                        giveUp("no keep-alive answered before the hold ran out (last: \(error))")
                        return
                    }
                    try? await Task.sleep(for: retryInterval)
                }
            }
        }
    }

    private func giveUp(_ reason: String) {
        guard !Task.isCancelled else { return }
        hold.drop()
        lost = reason
        loop = nil
    }
}
#endif
