/// What `hactl move|standby|enable|disable --wait` waits for, judged on each `hactl status`
/// report of the local node. Pure: the command polls and keeps the time.
///
/// "Reached" means the service answers where it should: the node that runs it told that its
/// takeover is done (units active, health check passed: `started`, see `NodeInfo.service`),
/// and, on the node itself, its health check is not failing now.
public enum ServiceGoal: Sendable, Equatable {
    /// `move [NODE]`: running on `to` (or, without a target, anywhere but `from`).
    case moved(to: String?, from: String?)
    /// `standby NODE`: not running on NODE; running elsewhere, or stopped on purpose.
    case leftNode(String)
    /// `enable`: running somewhere.
    case running
    /// `disable`: stopped everywhere.
    case stopped

    public enum Verdict: Sendable, Equatable {
        case reached(String)
        /// Not yet; what is going on, for the progress lines.
        case pending(String)
        /// Going wrong: failed, blocked, or running where it should not. The command gives up when
        /// this lasts (a state seen for an instant may be on its way elsewhere).
        case failing(String)
    }

    /// `the service to run on dss2`, for messages.
    public func describe(service: String) -> String {
        switch self {
        case let .moved(to?, _): "\(service) to run on \(to)"
        case let .moved(nil, from?): "\(service) to run on another node than \(from)"
        case .moved(nil, nil), .running: "\(service) to run"
        case let .leftNode(node): "\(service) to leave \(node)"
        case .stopped: "\(service) to stop"
        }
    }

    /// How the operator takes the change back.
    public var undo: String {
        switch self {
        case .moved: "hactl clear removes the move's constraints"
        case let .leftNode(node): "hactl unstandby \(node) takes the standby back"
        case .running: "hactl disable stops it again"
        case .stopped: "hactl enable starts it again"
        }
    }

    public func judge(_ report: StatusReport) -> Verdict {
        let service = report.service
        let whereNow = describe(report)
        switch service.state {
        case .failed, .blocked:
            if case .stopped = self, service.state == .blocked, service.node == nil, !service.enabled {
                return .reached(whereNow)
            }
            return .failing(whereNow)
        case .started:
            let node = service.node ?? ""
            if service.health?.state == .unhealthy && node == report.node {
                return .pending("\(whereNow), but its health check is failing")
            }
            switch self {
            case let .moved(to?, from):
                if node == to { return .reached(whereNow) }
                return node == from ? .pending(whereNow) : .failing("\(whereNow) instead of \(to)")
            case let .moved(nil, from):
                return node == from ? .pending(whereNow) : .reached(whereNow)
            case let .leftNode(left):
                return node == left ? .pending(whereNow) : .reached(whereNow)
            case .running:
                return .reached(whereNow)
            case .stopped:
                return .pending(whereNow)
            }
        case .starting, .stopping:
            return .pending(whereNow)
        case .stopped:
            switch self {
            case .stopped:
                return service.node == nil ? .reached(whereNow) : .pending(whereNow)
            case .leftNode:
                // Stopped on purpose (disabled, maintenance) counts: it runs nowhere, so not there.
                return !service.enabled || report.maintenance ? .reached(whereNow) : .pending(whereNow)
            case .moved, .running:
                if !service.enabled { return .failing("\(whereNow): the service is disabled (hactl enable)") }
                if report.maintenance { return .failing("\(whereNow): maintenance mode is on (hactl maintenance off)") }
                return .pending(whereNow)
            }
        }
    }

    /// `service dataiku starting on dss2 (dss2 is taking over)`.
    private func describe(_ report: StatusReport) -> String {
        let service = report.service
        let failing = service.state == .failed || service.state == .blocked
        var text = "service \(service.name) \(failing ? service.state.rawValue.uppercased() : service.state.rawValue)"
        if let node = service.node { text += service.state == .started ? " on \(node)" : " (\(node))" }
        if let reason = service.reason { text += ": \(reason)" }
        return text
    }
}
