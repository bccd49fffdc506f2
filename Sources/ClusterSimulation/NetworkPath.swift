/// One direction between two simulated nodes.
struct NetworkPath {
    var blocked = false
    /// Delivery delay range, nanoseconds.
    var minDelay: UInt64 = 200_000
    var maxDelay: UInt64 = 3_000_000
    var loss: Double = 0
    var duplication: Double = 0
}
