/// Why the leader refused an admin command.
public enum CommandRejection: Error, Sendable, Equatable {
    /// The command names a node that is not in the configuration.
    case unknownNode(String)
    /// A witness never runs the service (e.g. `move witness1`).
    case witnessNode(String)
    /// `move` without a target while the service runs nowhere.
    case serviceNotRunning
    /// A lifetime must be positive.
    case invalidLifetime
}
