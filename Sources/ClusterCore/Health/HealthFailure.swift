/// Why one health check did not count as healthy.
public enum HealthFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case resolveFailed(host: String, detail: String)
    case connectFailed(url: String, reason: String)
    case timedOut(url: String, after: Duration)
    /// The server answered with a status other than 200.
    case status(url: String, code: Int)
    case malformedResponse(url: String, firstLine: String)
    case ioFailed(url: String, reason: String)

    public var description: String {
        switch self {
        case let .resolveFailed(host, detail): "cannot resolve \(host): \(detail)"
        case let .connectFailed(url, reason): "\(url): connect failed: \(reason)"
        case let .timedOut(url, after): "\(url): no answer within \(after)"
        case let .status(url, code): "\(url): HTTP status \(code), expected 200"
        case let .malformedResponse(url, line): "\(url): not an HTTP response: '\(line)'"
        case let .ioFailed(url, reason): "\(url): \(reason)"
        }
    }
}
