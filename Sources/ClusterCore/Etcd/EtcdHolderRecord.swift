/// The `holder` key's value: which node last held (or was starting) the service, in which
/// coordinator term (the leader key's create revision), and whether it released it cleanly.
///
/// A coordinator writes it only in a transaction that compares its own leader key, so a deposed
/// coordinator can never overwrite its successor's record. It is written `starting` before the
/// takeover touches anything, `running` once the service runs, and `released` after a clean
/// stop; a new coordinator fences the recorded node first unless the record says `released`.
///
/// Text, one `key=value` per line, in this order:
/// ```
/// node=dss1
/// state=running
/// term=1234
/// ```
public struct EtcdHolderRecord: Sendable, Equatable {
    public enum State: String, Sendable, Equatable, CaseIterable {
        case starting, running, released
    }

    /// A value that is not a holder record (another writer, or a damaged key). Names what was wrong.
    public struct DecodingError: Error, Sendable, Equatable, CustomStringConvertible {
        public var detail: String
        public var description: String { "not a holder record: \(detail)" }
    }

    public var node: String
    public var state: State
    public var term: Int64

    public init(node: String, state: State, term: Int64) {
        self.node = node
        self.state = state
        self.term = term
    }

    public var encoded: [UInt8] { Array("node=\(node)\nstate=\(state.rawValue)\nterm=\(term)\n".utf8) }

    public init(decoding bytes: [UInt8]) throws(DecodingError) {
        guard bytes.count <= 256 else { throw DecodingError(detail: "\(bytes.count) bytes, at most 256 expected") }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw DecodingError(detail: "not UTF-8") }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count == 4, lines[3].isEmpty else {
            throw DecodingError(detail: "expected 3 lines (node=, state=, term=), each ending in a newline")
        }
        func value(_ line: Substring, _ key: String) throws(DecodingError) -> Substring {
            guard line.hasPrefix("\(key)=") else { throw DecodingError(detail: "expected \"\(key)=\" at the start of \"\(LogSafeText.escape(line, limit: 40))\"") }
            return line.dropFirst(key.count + 1)
        }
        let node = try value(lines[0], "node")
        guard ConfigLoader.isValidName(String(node)) else {
            throw DecodingError(detail: "node \"\(LogSafeText.escape(node, limit: 40))\" is not a node name")
        }
        let stateText = try value(lines[1], "state")
        guard let state = State(rawValue: String(stateText)) else {
            throw DecodingError(detail: "state \"\(LogSafeText.escape(stateText, limit: 40))\": expected starting, running or released")
        }
        let termText = try value(lines[2], "term")
        guard let term = Int64(termText), term > 0 else {
            throw DecodingError(detail: "term \"\(LogSafeText.escape(termText, limit: 40))\": expected a positive revision")
        }
        self.init(node: String(node), state: state, term: term)
    }

    /// The node a new coordinator must fence before it takes over, given the record it read:
    /// nobody when there is no record (the service never ran under this prefix), when the
    /// recorded node released cleanly, or when it is the new coordinator itself (it stops what
    /// it may still run locally before starting).
    public static func nodeToFence(record: EtcdHolderRecord?, coordinator: String) -> String? {
        guard let record, record.state != .released, record.node != coordinator else { return nil }
        return record.node
    }
}
