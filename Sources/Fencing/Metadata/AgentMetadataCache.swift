/// Metadata per agent, fetched once (`action=metadata`, like Pacemaker's
/// `stonith__rhcs_get_metadata`) and kept for the life of the daemon.
/// Concurrent first requests for the same agent share one run.
public actor AgentMetadataCache {
    private let runner: FenceAgentRunner
    private let timeout: Duration
    private var entries: [String: Task<AgentMetadata, any Error>] = [:]

    public init(runner: FenceAgentRunner, timeout: Duration = .seconds(10)) {
        self.runner = runner
        self.timeout = timeout
    }

    public func metadata(for agent: String) async throws(FenceError) -> AgentMetadata {
        let task: Task<AgentMetadata, any Error>
        if let existing = entries[agent] {
            task = existing
        } else {
            let runner = self.runner, timeout = self.timeout
            task = Task { try await runner.metadata(agent: agent, timeout: timeout) }
            entries[agent] = task
        }
        do {
            return try await task.value
        } catch let error as FenceError {
            entries[agent] = nil  // Failures are not cached: the agent may be installed later.
            throw error
        } catch {
            entries[agent] = nil
            throw .badOutput(device: "metadata:\(agent)", agent: agent, action: .metadata, reason: "\(error)")
        }
    }
}
