import ClusterCore

/// A model check of the etcd lease margin rule (`EtcdLeaseHold`): the coordinator's local
/// deadline against the lease's expiry on the etcd server, under clock-rate drift, network
/// delay and loss, and etcd leader changes.
///
/// Each seed draws a holder clock rate and server clock rates within the drift bound (real time
/// is the reference), then plays a lease: the grant, keep-alives every TTL/3 on the holder's
/// clock, each request and answer delayed (mostly a few milliseconds, sometimes up to half the
/// TTL) or lost, and etcd leader changes, after which etcd gives the lease its full TTL again
/// on the new leader's clock (which may run faster than the old one's: the expiry can move earlier).
///
/// The property: at no real time does the holder's rule say it holds while the server has
/// expired the lease, since from then on another node can create the leader key.
public struct EtcdLeaseModel: Sendable {
    public struct Finding: Sendable, Equatable, CustomStringConvertible {
        public var seed: UInt64
        /// Real time (seconds since the grant) at which the holder still held past the expiry.
        public var at: Double
        /// How long the holder's deadline outlasted the server's expiry, in seconds.
        public var overlap: Double
        public var description: String {
            "seed \(seed): the holder held \(Int((overlap * 1000).rounded())) ms past the server's expiry, at \(at) s"
        }
    }

    public var ttl: Duration
    public var maxClockDrift: Double
    /// Real seconds simulated per seed.
    public var horizon: Double
    public var lossRate: Double

    public init(ttl: Duration = .seconds(5), maxClockDrift: Double = 0.01, horizon: Double = 120, lossRate: Double = 0.2) {
        self.ttl = ttl
        self.maxClockDrift = maxClockDrift
        self.horizon = horizon
        self.lossRate = lossRate
    }

    /// Runs `seeds` seeds; the findings of the seeds that broke the property (the first per seed).
    public func run(seeds: Range<UInt64>, mutation: EtcdLeaseHold.Mutation? = nil) -> [Finding] {
        seeds.compactMap { run(seed: $0, mutation: mutation) }
    }

    public func run(seed: UInt64, mutation: EtcdLeaseHold.Mutation? = nil) -> Finding? {
        var random = ElectionRandom(seed: seed &* 0x2545_F491_4F6C_DD1D &+ 1)
        let ttlSeconds = Double(ttl.components.seconds) + Double(ttl.components.attoseconds) / 1e18
        func rate() -> Double {
            // Half the seeds sit on the edges of the bound, where a broken rule shows first.
            if Bool.random(using: &random) { return Bool.random(using: &random) ? 1 - maxClockDrift : 1 + maxClockDrift }
            return Double.random(in: (1 - maxClockDrift)...(1 + maxClockDrift), using: &random)
        }
        func delay() -> Double {
            Double.random(in: 0..<1, using: &random) < 0.9
                ? Double.random(in: 0...0.005, using: &random)
                : Double.random(in: 0...(ttlSeconds / 2), using: &random)
        }
        // Holder clock: local = real x rate (starts at 0 at real 0).
        let holderRate = rate()
        func local(_ real: Double) -> Instant { Instant(nanoseconds: UInt64((real * holderRate * 1e9).rounded(.down))) }
        func real(_ local: Instant) -> Double { Double(local.nanoseconds) / 1e9 / holderRate }

        var hold = EtcdLeaseHold(maxClockDrift: maxClockDrift, mutation: mutation)
        var serverRate = rate()
        var expiry = -Double.infinity  // real time the server expires the lease
        var leaderChanges: [Double] = []
        var next = Double.random(in: 0...(horizon / 2), using: &random)
        while next < horizon {
            leaderChanges.append(next)
            next += Double.random(in: ttlSeconds...(horizon / 2), using: &random)
        }

        // Requests in real time: the grant at 0, then a keep-alive every TTL/3 of the holder's clock.
        let interval = Double(EtcdLeaseHold.keepAliveInterval(ttl: ttl).nanoseconds) / 1e9 / holderRate
        var events: [(at: Double, kind: Int, sent: Double)] = []  // kind 0: processed, 1: answered, 2: leader change
        var sent = 0.0
        var first = true
        while sent < horizon {
            let lostRequest = !first && Double.random(in: 0..<1, using: &random) < lossRate
            let lostAnswer = !first && Double.random(in: 0..<1, using: &random) < lossRate
            first = false
            if !lostRequest {
                let processed = sent + delay()
                events.append((processed, 0, sent))
                if !lostAnswer { events.append((processed + delay(), 1, sent)) }
            }
            sent += interval
        }
        for change in leaderChanges { events.append((change, 2, 0)) }
        events.sort { ($0.at, $0.kind) < ($1.at, $1.kind) }

        var accepted: Set<Double> = []  // send times of the requests the server renewed the lease for
        for event in events {
            switch event.kind {
            case 0:
                // The server renews only a lease it still has; an expired lease is gone for good
                // (the answer then says TTL 0, and the holder renews nothing).
                if expiry == -.infinity || event.at < expiry {
                    expiry = event.at + ttlSeconds / serverRate
                    accepted.insert(event.sent)
                }
            case 1:
                if accepted.contains(event.sent) {
                    hold.renewed(sentAt: local(event.sent), answeredAt: local(event.at), ttl: ttl)
                }
            default:
                // etcd's new leader gives every lease its full TTL again, on its own clock.
                serverRate = rate()
                if event.at < expiry { expiry = event.at + ttlSeconds / serverRate }
            }
            // Both only change at events: checking after each one covers every real time.
            if let deadline = hold.deadline, real(deadline) > expiry {
                return Finding(seed: seed, at: expiry, overlap: real(deadline) - expiry)
            }
        }
        return nil
    }
}
