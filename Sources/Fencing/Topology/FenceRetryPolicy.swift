/// How often one device is tried before its level fails, like Pacemaker's fencer
/// (st_actions.c `update_remaining_timeout`): up to `maxAttempts` runs, `pause`
/// apart, and a new attempt only while less than `budgetFraction` of the action
/// timeout has been used. Each attempt gets the time that is left of the timeout.
public struct FenceRetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var pause: Duration
    public var budgetFraction: Double

    public static let pacemaker = FenceRetryPolicy(maxAttempts: 2, pause: .seconds(1), budgetFraction: 0.7)

    public init(maxAttempts: Int, pause: Duration, budgetFraction: Double) {
        precondition(maxAttempts >= 1, "at least one attempt")
        self.maxAttempts = maxAttempts
        self.pause = pause
        self.budgetFraction = budgetFraction
    }

    /// Whether attempt number `attempt + 1` may start after `elapsed` of `timeout` was used.
    public func mayRetry(after attempt: Int, elapsed: Duration, timeout: Duration) -> Bool {
        attempt < maxAttempts && elapsed + pause < timeout * budgetFraction
    }
}
