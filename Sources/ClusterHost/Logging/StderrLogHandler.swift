import ClusterCore
import Glibc
import Logging

/// A swift-log handler for running outside systemd: one line per message on
/// stderr, `2026-11-21T10:00:00.123Z warning haclusterd[dss1]: text key=value`.
///
/// Each line goes out in one `write(2)`, so lines from concurrent tasks never interleave.
public struct StderrLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    public let identifier: String
    public let node: String

    public init(identifier: String, node: String, logLevel: Logger.Level = .info) {
        self.identifier = identifier
        self.node = node
        self.logLevel = logLevel
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = Logger.Metadata.merging(handler: metadata, provider: metadataProvider, event: event.metadata)
        var line = line(level: event.level, message: event.message.description, metadata: merged, time: Self.now())
        if let error = event.error {
            line += " error=\(Self.quoted("\(error)"))"
        }
        line += "\n"
        Syscall.writeAll(Array(line.utf8), to: STDERR_FILENO)  // stderr closed: nothing sensible left to do
    }

    /// One line without its newline. Pure, for tests.
    public func line(level: Logger.Level, message: String, metadata: Logger.Metadata, time: String) -> String {
        var line = "\(time) \(level) \(identifier)[\(node)]: \(message.replacingNewlines())"
        for key in metadata.keys.sorted() {
            line += " \(key)=\(Self.quoted(metadata[key]!.description))"
        }
        return line
    }

    static func quoted(_ value: String) -> String {
        let plain = !value.isEmpty && !value.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }
        if plain { return value }
        return "\"" + value.replacingNewlines().replacing("\"", with: "\\\"") + "\""
    }

    /// UTC wall-clock time with milliseconds, ISO 8601.
    static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(parts.tm_year + 1900)-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + "\(pad(Int32(spec.tv_nsec / 1_000_000), 3))Z"
    }
}

extension String {
    fileprivate func replacingNewlines() -> String {
        String(map { $0.isNewline ? " " : $0 })
    }
}
