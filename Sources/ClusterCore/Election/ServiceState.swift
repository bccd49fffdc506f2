/// The service as this node's core sees it on this node.
public enum ServiceState: Sendable, Equatable {
    case idle
    /// `takeover` issued for `term`; waiting for the shell's report.
    case takingOver(term: Term)
    case holding(term: Term)
    /// `release` issued; waiting for `.released`.
    case releasing(ReleaseReason)

    /// Whether anything of the service may be running here.
    public var mayRun: Bool {
        if case .idle = self { return false }
        return true
    }
}
