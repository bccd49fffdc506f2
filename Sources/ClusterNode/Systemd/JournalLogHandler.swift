import ClusterCore
import ClusterHost
import CSystemd
import Glibc
import Logging

/// A swift-log handler that writes structured entries to the systemd journal
/// with `sd_journal_sendv`.
///
/// Every entry carries `MESSAGE`, `PRIORITY` (syslog levels), `SYSLOG_IDENTIFIER`,
/// `HA_NODE`, `HA_CLUSTER`, `CODE_FILE`/`CODE_LINE`/`CODE_FUNC`, and each metadata
/// key as an upper-case field (`peer` → `PEER`, `unit-name` → `UNIT_NAME`), so
/// `journalctl SYSLOG_IDENTIFIER=haclusterd PEER=dss2` finds what concerns a peer. A main
/// cluster event (`event_kind`) also carries its `MESSAGE_ID` (`EventKind.messageID`).
///
/// Without a journald (no `/run/systemd/journal/socket`) libsystemd drops the
/// entries silently: use this handler only when the process runs under systemd.
public struct JournalLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    public let identifier: String
    public let node: String
    public let cluster: String

    public init(identifier: String, node: String, cluster: String, logLevel: Logger.Level = .info) {
        self.identifier = identifier
        self.node = node
        self.cluster = cluster
        self.logLevel = logLevel
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = Logger.Metadata.merging(handler: metadata, provider: metadataProvider, event: event.metadata)
        var entry = fields(level: event.level, message: event.message.description, metadata: merged)
        if let error = event.error {
            entry.append("ERROR=\(error)")
        }
        entry.append("CODE_FILE=\(event.file)")
        entry.append("CODE_LINE=\(event.line)")
        entry.append("CODE_FUNC=\(event.function)")
        Self.send(entry)
    }

    /// The journal fields of one entry, as `NAME=value` strings (without the
    /// source location). Pure, for tests.
    public func fields(level: Logger.Level, message: String, metadata: Logger.Metadata) -> [String] {
        var entry = [
            "MESSAGE=\(message)",
            "PRIORITY=\(Self.priority(of: level))",
            "SYSLOG_IDENTIFIER=\(identifier)",
            "HA_NODE=\(node)",
            "HA_CLUSTER=\(cluster)",
        ]
        for key in metadata.keys.sorted() {
            entry.append("\(Self.fieldName(for: key))=\(metadata[key]!)")
        }
        // A main cluster event gets its catalog entry's ID (`journalctl -x` explains it).
        if case let .string(kind)? = metadata["event_kind"], let id = EventKind(rawValue: kind)?.messageID {
            entry.append("MESSAGE_ID=\(id)")
        }
        return entry
    }

    /// Syslog priority (`PRIORITY=`) of a swift-log level.
    public static func priority(of level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// Fields this handler sets itself; metadata with the same name is renamed
    /// `META_<NAME>` so it can never overwrite them.
    static let reservedFields: Set<String> = [
        "MESSAGE", "MESSAGE_ID", "PRIORITY", "SYSLOG_IDENTIFIER", "SYSLOG_FACILITY", "SYSLOG_PID",
        "HA_NODE", "HA_CLUSTER", "CODE_FILE", "CODE_LINE", "CODE_FUNC", "ERROR", "ERRNO",
    ]

    /// A valid journal field name for a metadata key: upper case, only
    /// `A-Z 0-9 _`, not starting with `_` (trusted fields) or a digit, at most 64 bytes.
    public static func fieldName(for key: String) -> String {
        var name = String(key.uppercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) ? $0 : "_" })
        while name.hasPrefix("_") { name.removeFirst() }
        if name.isEmpty || name.first!.isNumber { name = "META_" + name }
        if reservedFields.contains(name) { name = "META_" + name }
        return String(name.prefix(64))
    }

    /// Sends one entry; values may contain newlines (sd_journal_sendv frames them).
    static func send(_ entry: [String]) {
        let copies = entry.map { strdup($0)! }
        defer { copies.forEach { free($0) } }
        var vectors = copies.map { iovec(iov_base: UnsafeMutableRawPointer($0), iov_len: strlen($0)) }
        _ = vectors.withUnsafeMutableBufferPointer { buffer in
            sd_journal_sendv(buffer.baseAddress, Int32(buffer.count))
        }
    }
}
