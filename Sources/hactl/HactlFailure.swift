import ClusterHost
import ClusterCore
import FoundationEssentials
import Glibc

/// Why a hactl command did not succeed, with the spec's exit status.
enum HactlFailure: Error {
    /// The daemon could not be reached or did not answer properly.
    case client(ControlClientError)
    /// The daemon refused or failed the request.
    case control(ControlError)
    /// Bad command line (exit 2).
    case usage(String)
    /// Bad configuration file (exit 2).
    case configuration(String)
    /// The command ran and failed (exit 1).
    case failed(String)
    /// `--wait`: the change committed, and the service had not got there when --timeout ran out (exit 5).
    case waitTimedOut(String)

    var exitStatus: Int32 {
        switch self {
        case let .client(error): error.exitStatus
        case let .control(error): error.exitStatus
        case .usage, .configuration: 2
        case .failed: 1
        case .waitTimedOut: 5
        }
    }

    var code: String {
        switch self {
        case let .client(error): error.code
        case let .control(error): error.code
        case .usage: "usage"
        case .configuration: "configuration"
        case .failed: "failed"
        case .waitTimedOut: "wait_timeout"
        }
    }

    var message: String {
        switch self {
        case let .client(error): error.description
        case let .control(error): error.message
        case let .usage(text): text
        case let .configuration(text): text
        case let .failed(text): text
        case let .waitTimedOut(text): text
        }
    }

    /// Prints the message on stderr; with --json also `{"error":{...}}` on stdout for scripts.
    func report(json: Bool) {
        let text = message.hasPrefix("Error:") || message.hasPrefix("Usage:") ? message : "hactl: \(message)"
        Output.write(text.hasSuffix("\n") ? text : text + "\n", to: STDERR_FILENO)
        if json {
            Output.json(HactlErrorOutput(error: .init(code: code, message: message, exit: exitStatus)))
        }
    }
}

struct HactlErrorOutput: Encodable {
    struct Body: Encodable {
        var code: String
        var message: String
        var exit: Int32
    }

    var error: Body
}
