import ClusterCore
import Glibc
import Testing

/// What replaced Foundation's text and calendar calls (the product links FoundationEssentials
/// only): the same answers as glibc and as the sets Foundation used.
@Suite("Text and dates without Foundation")
struct TextWithoutFoundationTests {
    @Test("trimming white space: spaces, tabs, Unicode spaces, and line breaks unless told not to")
    func trimming() {
        #expect("  1s \t".trimmingWhitespace() == "1s")
        #expect("\u{00A0}\u{2003}yes\u{3000}".trimmingWhitespace() == "yes")
        #expect("\n token\r\n".trimmingWhitespace() == "token")
        #expect("\n token\r\n".trimmingWhitespace(newlines: false) == "\n token\r\n")
        #expect(" a b ".trimmingWhitespace() == "a b")
        #expect(" \t\n ".trimmingWhitespace() == "")
        #expect("".trimmingWhitespace() == "")
        #expect("x\u{2028}".trimmingWhitespace() == "x")
        #expect("x\u{2028}".trimmingWhitespace(newlines: false) == "x\u{2028}")
        #expect("10 d"[...].trimmingWhitespace() == "10 d")
    }

    @Test("UTC timestamps: the same seconds and text as glibc's timegm and gmtime_r, leap years and day overflow included")
    func matchesGlibc() {
        var generator = Xorshift(seed: 0x5EED)
        var checked = 0
        // Every day boundary of the years around the epoch and around 2000/2100 (century rules),
        // and random instants from year 1 to 9999.
        let special: [Int64] = [0, -1, 86_399, 86_400, 951_782_400, 951_868_800, 4_107_542_400, 4_107_456_000, 253_402_300_799]
        let random = (0..<20_000).map { _ in Int64(generator.next() % 315_537_897_600) - 62_135_596_800 }
        for seconds in special + random {
            var t = time_t(seconds)
            var parts = tm()
            gmtime_r(&t, &parts)
            func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
            let year = Int(parts.tm_year) + 1900
            let yearText = String(repeating: "0", count: max(0, 4 - String(year).count)) + String(year)
            let expected = "\(yearText)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
            let stamp = UTCTimestamp(secondsSinceEpoch: seconds)
            #expect(stamp.iso8601 == expected, "\(seconds)")
            #expect(UTCTimestamp(iso8601: expected)?.secondsSinceEpoch == seconds, "\(expected)")
            checked += 1
        }
        #expect(checked == 20_009)
        // timegm normalises a day or second past the end, and so does the parser.
        #expect(UTCTimestamp(iso8601: "2023-02-29T00:00:00Z")?.iso8601 == "2023-03-01T00:00:00Z")
        #expect(UTCTimestamp(iso8601: "2024-02-29T23:59:60Z")?.iso8601 == "2024-03-01T00:00:00Z")
        #expect(UTCTimestamp(iso8601: "2026-12-31T23:59:59.75+00:00")?.iso8601 == "2026-12-31T23:59:59Z")
    }

    /// A small deterministic generator (the core's tests avoid the system's random source).
    struct Xorshift {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
    }
}
