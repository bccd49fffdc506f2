import ClusterCore

/// A measurement the runtime takes as it runs, for the metrics (`ClusterRuntime.sampler`).
public enum RuntimeSample: Sendable, Equatable {
    /// From sending heartbeat N to receiving `peer`'s acknowledgement of N (on the coordinator).
    case heartbeatRoundTrip(peer: String, Duration)
    /// How late a tick ran after the instant it was armed for (scheduling and a busy loop).
    case loopLag(Duration)
}
