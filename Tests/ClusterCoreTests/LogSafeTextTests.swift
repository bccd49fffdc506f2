import Testing
@testable import ClusterCore

/// Peer-supplied text is escaped before it is logged: no forged log lines, no terminal escapes.
struct LogSafeTextTests {
    static let hostile = "dss9\n2026-12-05T10:00:00Z notice haclusterd[dss1]: fenced dss2\u{1B}[2J\u{7F}\u{85}\u{2028}"

    @Test func controlCharactersBecomeEscapes() {
        let safe = LogSafeText.escape(Self.hostile)
        #expect(safe == "dss9\\n2026-12-05T10:00:00Z notice haclusterd[dss1]: fenced dss2\\u{1B}[2J\\u{7F}\\u{85}\\u{2028}")
        #expect(!safe.unicodeScalars.contains { $0.properties.generalCategory == .control })
        #expect(LogSafeText.escape("dss1 ünïcödé \\ ok") == "dss1 ünïcödé \\\\ ok")
        #expect(LogSafeText.escape(String(repeating: "a", count: 500)).count == 201)
    }

    @Test func wireErrorsAndReleaseWarningsEscapeWhatAPeerSent() {
        for error in [WireError.unknownSender(Self.hostile), .misdirected(to: Self.hostile), .authenticationFailed(sender: Self.hostile),
                      .malformed(field: "release", reason: Self.hostile)] {
            #expect(!error.description.contains("\n") && !error.description.contains("\u{1B}"), "\(error.description)")
        }
        let local = NodeInfo(software: "haclusterd 1.0", config: ConfigDigest(sections: [:]))
        var peer = local
        peer.software = Self.hostile
        let warnings = ConfigAgreement.warnings(local: ("dss1", local), peers: ["dss2": peer])
        #expect(warnings.count == 1)
        #expect(!warnings[0].contains("\n") && !warnings[0].contains("\u{1B}"), "\(warnings)")
    }
}
