/// `[[alert]]`: programs run on cluster events (`AlertConfig`).
extension ConfigLoader {
    static func decodeAlerts(_ document: ConfigTable) -> [AlertConfig] {
        let diagnostics = document.diagnostics
        guard let entries = document.tableArray("alert", expected: "an array of tables ([[alert]])") else { return [] }
        var result: [AlertConfig] = []
        for entry in entries {
            entry.rejectUnknownKeys(sectionKeys["alert"]!)
            let timeout = entry.duration("timeout", minimum: .seconds(1), maximum: AlertConfig.maximumTimeout)
            var events: [String] = []
            for (pattern, keyPath) in entry.stringArray("events") ?? [] {
                guard AlertConfig.isValidPattern(pattern) else {
                    diagnostics.report(.invalidValue(
                        diagnostics.location(keyPath), value: pattern,
                        expected: "an event kind of `hactl events` (\"fence.failed\"), an area (\"service.*\") or \"*\""))
                    continue
                }
                events.append(pattern)
            }
            guard let command = entry.string("command", required: true) else { continue }
            guard command.hasPrefix("/"), !command.hasSuffix("/") else {
                diagnostics.report(.invalidValue(entry.location("command"), value: command,
                                                 expected: "the absolute path of a program, such as \"/usr/local/lib/hacluster/notify\""))
                continue
            }
            result.append(AlertConfig(command: command, events: events, timeout: timeout ?? AlertConfig.defaultTimeout))
        }
        return result
    }
}
