/// Binary encoding of the election `Message` (the plaintext of a datagram of
/// kind `electionMessage`). Big-endian, fields in declaration order:
///
/// ```
/// message   = tag:u8 fields...          (tags below; unknown tag = malformed)
/// term, version, request id, sequence  = u64
/// duration  = seconds:i64 attoseconds:i64 (|attoseconds| < 1e18)
/// string    = len:u8 utf8 (1...64 bytes for node names)
/// optional  = 0 | 1 value
/// array     = count:u16 elements (bounded per field)
/// stamp     = term version
/// admin     = stamp enabled:bool maintenance:bool standby:[string]
///             constraints:[kind:u8 node expires:optional<u64>]
///             failures:[node count:u64 lastFailure:u64] mayHold:[string]
/// heartbeat = term sequence admin committed holder:optional<string> members:[string]
///             [voters:[string]]
/// ```
/// `voters` (`AdminState.voters`, the recorded member list) closes a heartbeat only once a
/// leader recorded it, which it does only when every node runs a release that decodes it
/// (`Input.membersSupported`): heartbeats of earlier releases, and of a cluster that has not
/// recorded its members, end after `members` and decode with `voters` nil.
/// Decoding is total: any byte string yields a `Message` or a
/// `WireError.malformed` naming the field; trailing bytes are malformed.
public enum MessageCodec {
    enum Tag: UInt8 {
        case preVoteRequest = 1
        case preVoteResponse = 2
        case voteRequest = 3
        case voteResponse = 4
        case heartbeat = 5
        case heartbeatAck = 6
        case timeoutNow = 7
        case command = 8
        case commandReply = 9
    }

    /// Upper bounds checked while decoding, before allocating.
    static let maxNodes = 64
    static let maxConstraints = 256

    /// Throws only when a field cannot be represented (a string over 255 bytes).
    public static func encode(_ message: Message) throws(WireError) -> [UInt8] {
        var w = ByteWriter(capacity: 128)
        switch message {
        case let .preVoteRequest(term, admin):
            w.write(Tag.preVoteRequest.rawValue)
            w.write(term.rawValue)
            writeStamp(&w, admin)
        case let .preVoteResponse(term, granted):
            w.write(Tag.preVoteResponse.rawValue)
            w.write(term.rawValue)
            w.write(granted)
        case let .voteRequest(term, admin, transfer):
            w.write(Tag.voteRequest.rawValue)
            w.write(term.rawValue)
            writeStamp(&w, admin)
            w.write(transfer)
        case let .voteResponse(term, granted, sinceLeaderContact):
            w.write(Tag.voteResponse.rawValue)
            w.write(term.rawValue)
            w.write(granted)
            writeDuration(&w, sinceLeaderContact)
        case let .heartbeat(term, sequence, admin, committed, holder, members):
            w.write(Tag.heartbeat.rawValue)
            w.write(term.rawValue)
            w.write(sequence)
            writeAdmin(&w, admin)
            writeStamp(&w, committed)
            w.writeOptional(holder) { $0.write($1) }
            w.writeArray(members) { $0.write($1) }
            if let voters = admin.voters { w.writeArray(voters) { $0.write($1) } }
        case let .heartbeatAck(term, sequence, admin, holding):
            w.write(Tag.heartbeatAck.rawValue)
            w.write(term.rawValue)
            w.write(sequence)
            writeStamp(&w, admin)
            w.write(holding)
        case let .timeoutNow(term):
            w.write(Tag.timeoutNow.rawValue)
            w.write(term.rawValue)
        case let .command(id, command):
            w.write(Tag.command.rawValue)
            w.write(id.rawValue)
            writeCommand(&w, command)
        case let .commandReply(id, outcome):
            w.write(Tag.commandReply.rawValue)
            w.write(id.rawValue)
            writeOutcome(&w, outcome)
        }
        return try w.checked()
    }

    public static func decode(_ bytes: [UInt8]) throws(WireError) -> Message {
        var r = ByteReader(bytes)
        let tagByte = try r.readUInt8("message tag")
        guard let tag = Tag(rawValue: tagByte) else {
            throw .malformed(field: "message tag", reason: "unknown message type \(tagByte)")
        }
        let message: Message
        switch tag {
        case .preVoteRequest:
            message = .preVoteRequest(term: try readTerm(&r), admin: try readStamp(&r, "admin"))
        case .preVoteResponse:
            message = .preVoteResponse(term: try readTerm(&r), granted: try r.readBool("granted"))
        case .voteRequest:
            message = .voteRequest(term: try readTerm(&r), admin: try readStamp(&r, "admin"), transfer: try r.readBool("transfer"))
        case .voteResponse:
            message = .voteResponse(term: try readTerm(&r), granted: try r.readBool("granted"), sinceLeaderContact: try readDuration(&r, "sinceLeaderContact"))
        case .heartbeat:
            let term = try readTerm(&r)
            let sequence = try r.readUInt64("sequence")
            var admin = try readAdmin(&r)
            let committed = try readStamp(&r, "committed")
            let holder = try r.readOptional("holder") { (r: inout ByteReader) throws(WireError) in try readName(&r, "holder") }
            let members = try r.readArray("members", maxCount: maxNodes) { (r: inout ByteReader) throws(WireError) in try readName(&r, "members") }
            if !r.isAtEnd {
                let voters = try r.readArray("voters", maxCount: maxNodes) { (r: inout ByteReader) throws(WireError) in try readName(&r, "voters") }
                guard !voters.isEmpty, Set(voters).count == voters.count else {
                    throw .malformed(field: "voters", reason: voters.isEmpty ? "empty member list" : "a node listed twice")
                }
                admin.voters = voters
            }
            message = .heartbeat(term: term, sequence: sequence, admin: admin, committed: committed, holder: holder, members: members)
        case .heartbeatAck:
            message = .heartbeatAck(term: try readTerm(&r), sequence: try r.readUInt64("sequence"), admin: try readStamp(&r, "admin"), holding: try r.readBool("holding"))
        case .timeoutNow:
            message = .timeoutNow(term: try readTerm(&r))
        case .command:
            message = .command(id: RequestID(try r.readUInt64("request id")), command: try readCommand(&r))
        case .commandReply:
            message = .commandReply(id: RequestID(try r.readUInt64("request id")), outcome: try readOutcome(&r))
        }
        try r.expectEnd("message")
        return message
    }

    // MARK: - Fields

    static func readTerm(_ r: inout ByteReader) throws(WireError) -> Term {
        Term(try r.readUInt64("term"))
    }

    static func readName(_ r: inout ByteReader, _ field: String) throws(WireError) -> String {
        let name = try r.readString(field)
        guard !name.isEmpty else { throw .malformed(field: field, reason: "empty node name") }
        return name
    }

    static func writeStamp(_ w: inout ByteWriter, _ stamp: AdminStamp) {
        w.write(stamp.term.rawValue)
        w.write(stamp.version.rawValue)
    }

    static func readStamp(_ r: inout ByteReader, _ field: String) throws(WireError) -> AdminStamp {
        AdminStamp(term: Term(try r.readUInt64(field + ".term")), version: AdminVersion(try r.readUInt64(field + ".version")))
    }

    static func writeDuration(_ w: inout ByteWriter, _ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        w.write(seconds)
        w.write(attoseconds)
    }

    /// The longest duration a datagram may carry: 100 years.
    static let maxWireSeconds: Int64 = 100 * 366 * 86_400

    static func readDuration(_ r: inout ByteReader, _ field: String) throws(WireError) -> Duration {
        let seconds = try r.readInt64(field + ".seconds")
        let attoseconds = try r.readInt64(field + ".attoseconds")
        guard attoseconds.magnitude < 1_000_000_000_000_000_000 else {
            throw .malformed(field: field, reason: "attoseconds \(attoseconds) out of range")
        }
        // Durations on the wire are times since an event on the sender: never negative, and no
        // longer than a machine's uptime can be (a century bounds any sum made with them).
        guard (0...maxWireSeconds).contains(seconds), seconds > 0 || attoseconds >= 0 else {
            throw .malformed(field: field, reason: "\(seconds) s is out of range (0...\(maxWireSeconds) s)")
        }
        return Duration(secondsComponent: seconds, attosecondsComponent: attoseconds)
    }

    static func writeAdmin(_ w: inout ByteWriter, _ admin: AdminState) {
        writeStamp(&w, admin.stamp)
        w.write(admin.enabled)
        w.write(admin.maintenance)
        w.writeArray(admin.standby) { $0.write($1) }
        w.writeArray(admin.constraints) { w, constraint in
            w.write(constraintKindCode(constraint.kind))
            w.write(constraint.node)
            w.writeOptional(constraint.expires) { $0.write($1) }
        }
        w.writeArray(admin.failures) { w, failure in
            w.write(failure.node)
            w.write(UInt64(clamping: failure.count))
            w.write(failure.lastFailure)
        }
        w.writeArray(admin.mayHold) { $0.write($1) }
    }

    static func readAdmin(_ r: inout ByteReader) throws(WireError) -> AdminState {
        let stamp = try readStamp(&r, "admin.stamp")
        let enabled = try r.readBool("admin.enabled")
        let maintenance = try r.readBool("admin.maintenance")
        let standby = try r.readArray("admin.standby", maxCount: maxNodes) { (r: inout ByteReader) throws(WireError) in try readName(&r, "admin.standby") }
        let constraints = try r.readArray("admin.constraints", maxCount: maxConstraints) { (r: inout ByteReader) throws(WireError) -> AdminConstraint in
            let code = try r.readUInt8("admin.constraints.kind")
            guard let kind = constraintKind(code) else {
                throw .malformed(field: "admin.constraints.kind", reason: "unknown constraint kind \(code)")
            }
            let node = try readName(&r, "admin.constraints.node")
            let expires = try r.readOptional("admin.constraints.expires") { (r: inout ByteReader) throws(WireError) in try r.readUInt64("admin.constraints.expires") }
            return AdminConstraint(kind: kind, node: node, expires: expires)
        }
        let failures = try r.readArray("admin.failures", maxCount: maxNodes) { (r: inout ByteReader) throws(WireError) -> FailureRecord in
            let node = try readName(&r, "admin.failures.node")
            let count = try r.readUInt64("admin.failures.count")
            guard count <= UInt64(Int32.max) else {
                throw .malformed(field: "admin.failures.count", reason: "count \(count) out of range")
            }
            return FailureRecord(node: node, count: Int(count), lastFailure: try r.readUInt64("admin.failures.lastFailure"))
        }
        let mayHold = try r.readArray("admin.mayHold", maxCount: maxNodes) { (r: inout ByteReader) throws(WireError) in try readName(&r, "admin.mayHold") }
        return AdminState(stamp: stamp, enabled: enabled, maintenance: maintenance, standby: standby, constraints: constraints, failures: failures, mayHold: mayHold)
    }

    static func constraintKindCode(_ kind: AdminConstraint.Kind) -> UInt8 {
        switch kind {
        case .ban: 1
        case .prefer: 2
        }
    }

    static func constraintKind(_ code: UInt8) -> AdminConstraint.Kind? {
        switch code {
        case 1: .ban
        case 2: .prefer
        default: nil
        }
    }

    static func writeOptionalLifetime(_ w: inout ByteWriter, _ lifetime: Duration?) {
        w.writeOptional(lifetime) { writeDuration(&$0, $1) }
    }

    static func readOptionalLifetime(_ r: inout ByteReader) throws(WireError) -> Duration? {
        try r.readOptional("lifetime") { (r: inout ByteReader) throws(WireError) in try readDuration(&r, "lifetime") }
    }

    static func readOptionalName(_ r: inout ByteReader, _ field: String) throws(WireError) -> String? {
        try r.readOptional(field) { (r: inout ByteReader) throws(WireError) in try readName(&r, field) }
    }

    static func writeCommand(_ w: inout ByteWriter, _ command: AdminCommand) {
        switch command {
        case .enable:
            w.write(UInt8(1))
        case .disable:
            w.write(UInt8(2))
        case let .move(node, lifetime):
            w.write(UInt8(3))
            w.writeOptional(node) { $0.write($1) }
            writeOptionalLifetime(&w, lifetime)
        case let .ban(node, lifetime):
            w.write(UInt8(4))
            w.write(node)
            writeOptionalLifetime(&w, lifetime)
        case let .clear(node):
            w.write(UInt8(5))
            w.writeOptional(node) { $0.write($1) }
        case let .standby(node):
            w.write(UInt8(6))
            w.write(node)
        case let .unstandby(node):
            w.write(UInt8(7))
            w.write(node)
        case let .maintenance(on):
            w.write(UInt8(8))
            w.write(on)
        case let .cleanup(node):
            w.write(UInt8(9))
            w.writeOptional(node) { $0.write($1) }
        case let .addNode(node):
            w.write(UInt8(10))
            w.write(node)
        case let .removeNode(node):
            w.write(UInt8(11))
            w.write(node)
        }
    }

    static func readCommand(_ r: inout ByteReader) throws(WireError) -> AdminCommand {
        let code = try r.readUInt8("command")
        switch code {
        case 1: return .enable
        case 2: return .disable
        case 3: return .move(node: try readOptionalName(&r, "command.node"), lifetime: try readOptionalLifetime(&r))
        case 4: return .ban(node: try readName(&r, "command.node"), lifetime: try readOptionalLifetime(&r))
        case 5: return .clear(node: try readOptionalName(&r, "command.node"))
        case 6: return .standby(node: try readName(&r, "command.node"))
        case 7: return .unstandby(node: try readName(&r, "command.node"))
        case 8: return .maintenance(on: try r.readBool("command.on"))
        case 9: return .cleanup(node: try readOptionalName(&r, "command.node"))
        case 10: return .addNode(try readName(&r, "command.node"))
        case 11: return .removeNode(try readName(&r, "command.node"))
        default: throw .malformed(field: "command", reason: "unknown admin command \(code)")
        }
    }

    static func writeOutcome(_ w: inout ByteWriter, _ outcome: CommandOutcome) {
        switch outcome {
        case let .committed(version):
            w.write(UInt8(1))
            w.write(version.rawValue)
        case .noQuorum:
            w.write(UInt8(2))
        case let .rejected(rejection):
            w.write(UInt8(3))
            switch rejection {
            case let .unknownNode(node):
                w.write(UInt8(1))
                w.write(node)
            case let .witnessNode(node):
                w.write(UInt8(2))
                w.write(node)
            case .serviceNotRunning:
                w.write(UInt8(3))
            case .invalidLifetime:
                w.write(UInt8(4))
            case .membersNotRecorded:
                w.write(UInt8(5))
            case let .alreadyMember(node):
                w.write(UInt8(6))
                w.write(node)
            case let .notMember(node):
                w.write(UInt8(7))
                w.write(node)
            case let .nodeNotHeard(node):
                w.write(UInt8(8))
                w.write(node)
            case let .removingLeader(node):
                w.write(UInt8(9))
                w.write(node)
            case let .nodeRunsService(node):
                w.write(UInt8(10))
                w.write(node)
            case let .changePending(version):
                w.write(UInt8(11))
                w.write(version.rawValue)
            case .twoNodeMembership:
                w.write(UInt8(12))
            case let .adminStateUnreadable(reason):
                w.write(UInt8(13))
                w.write(String(decoding: reason.utf8.prefix(WireFormat.maxStringLength - 3), as: UTF8.self))
            }
        }
    }

    static func readOutcome(_ r: inout ByteReader) throws(WireError) -> CommandOutcome {
        let code = try r.readUInt8("outcome")
        switch code {
        case 1: return .committed(AdminVersion(try r.readUInt64("outcome.version")))
        case 2: return .noQuorum
        case 3:
            let reason = try r.readUInt8("outcome.rejection")
            switch reason {
            case 1: return .rejected(.unknownNode(try r.readString("outcome.node")))
            case 2: return .rejected(.witnessNode(try r.readString("outcome.node")))
            case 3: return .rejected(.serviceNotRunning)
            case 4: return .rejected(.invalidLifetime)
            case 5: return .rejected(.membersNotRecorded)
            case 6: return .rejected(.alreadyMember(try r.readString("outcome.node")))
            case 7: return .rejected(.notMember(try r.readString("outcome.node")))
            case 8: return .rejected(.nodeNotHeard(try r.readString("outcome.node")))
            case 9: return .rejected(.removingLeader(try r.readString("outcome.node")))
            case 10: return .rejected(.nodeRunsService(try r.readString("outcome.node")))
            case 11: return .rejected(.changePending(AdminVersion(try r.readUInt64("outcome.version"))))
            case 12: return .rejected(.twoNodeMembership)
            case 13: return .rejected(.adminStateUnreadable(try r.readString("outcome.reason")))
            default: throw .malformed(field: "outcome.rejection", reason: "unknown rejection \(reason)")
            }
        default: throw .malformed(field: "outcome", reason: "unknown outcome \(code)")
        }
    }
}
