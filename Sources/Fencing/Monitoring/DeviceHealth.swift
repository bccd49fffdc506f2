/// The health of one fence device as its periodic `monitor` sees it (`hactl status`).
public struct DeviceHealth: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Equatable, Codable {
        /// Not checked yet.
        case unknown
        case ok
        case failing
    }

    public var device: String
    public var agent: String
    public var state: State
    /// Wall-clock time (UNIX seconds) of the first failure of the current failing streak.
    public var failingSince: Double?
    /// Why the last check failed (redacted), nil when it passed.
    public var lastError: String?
    /// Wall-clock time of the last completed check.
    public var lastCheck: Double?
    public var consecutiveFailures: Int

    public init(device: String, agent: String, state: State = .unknown, failingSince: Double? = nil,
                lastError: String? = nil, lastCheck: Double? = nil, consecutiveFailures: Int = 0) {
        self.device = device
        self.agent = agent
        self.state = state
        self.failingSince = failingSince
        self.lastError = lastError
        self.lastCheck = lastCheck
        self.consecutiveFailures = consecutiveFailures
    }
}
