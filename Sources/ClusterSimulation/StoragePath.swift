/// One node's path to the simulated shared disk (the storage shape): which storage fault
/// holds it now. Each field is the real time the fault ends (0: none).
struct StoragePath {
    /// Cycles take longer until then, each `slowLatency` × 0.5-1.
    var slowUntil: UInt64 = 0
    var slowLatency: UInt64 = 0
    /// I/O blocks until then.
    var hungUntil: UInt64 = 0
    /// I/O fails with EIO until then.
    var failingUntil: UInt64 = 0

    func isSlow(at time: UInt64) -> Bool { time < slowUntil }
    func isHung(at time: UInt64) -> Bool { time < hungUntil }
    func isFailing(at time: UInt64) -> Bool { time < failingUntil }
}
