import Testing
@testable import ClusterCore

@Suite struct ConfigDurationTests {
    @Test(arguments: [
        ("200ms", Duration.milliseconds(200)),
        ("1s", .seconds(1)),
        ("600S", .seconds(600)),
        ("600s", .seconds(600)),
        ("10min", .seconds(600)),
        ("10MIN", .seconds(600)),
        ("2h", .seconds(7200)),
        ("2H", .seconds(7200)),
        ("1hr", .seconds(3600)),
        ("5sec", .seconds(5)),
        ("250msec", .milliseconds(250)),
        ("1500us", .microseconds(1500)),
        ("0s", .zero),
        ("0", .zero),
        ("30", .seconds(30)),           // a numeric string is seconds
        ("  45s  ", .seconds(45)),      // surrounding blanks are ignored
        ("10 s", .seconds(10)),         // so is a blank before the unit
        ("1.5s", .milliseconds(1500)),
        ("0.25min", .seconds(15)),
        (".5s", .milliseconds(500)),
        ("+3s", .seconds(3)),
        ("1.0000000001s", .seconds(1)), // below a nanosecond is truncated
    ])
    func parses(text: String, expected: Duration) throws {
        #expect(try Duration(configValue: text) == expected)
    }

    @Test(arguments: [
        ("", DurationParseError.empty),
        ("   ", .empty),
        ("-5s", .negative),
        ("-1", .negative),
        ("abc", .notANumber),
        ("s", .notANumber),
        (".", .notANumber),
        ("1.2.3s", .notANumber),
        ("10m", .ambiguousMinutes),
        ("10M", .ambiguousMinutes),
        ("10 minutes", .unknownUnit("minutes")),
        ("3d", .unknownUnit("d")),
        ("5 s s", .unknownUnit("s s")),
        ("1s2ms", .unknownUnit("s2ms")),
        ("99999999999999999999s", .overflow),
        ("9223372037s", .overflow),
        ("2562048h", .overflow),
    ])
    func rejects(text: String, expected: DurationParseError) {
        #expect(throws: expected) { try Duration(configValue: text) }
    }

    @Test func bareIntegersAreSeconds() throws {
        #expect(try Duration(configSeconds: 0) == .zero)
        #expect(try Duration(configSeconds: 600) == .seconds(600))
        #expect(throws: DurationParseError.negative) { try Duration(configSeconds: -1) }
        #expect(throws: DurationParseError.overflow) { try Duration(configSeconds: Int64.max / 1000) }
    }

    @Test(arguments: [
        (Duration.zero, "0s"),
        (.milliseconds(200), "200ms"),
        (.seconds(1), "1s"),
        (.milliseconds(1500), "1500ms"),
        (.seconds(600), "10min"),
        (.seconds(90), "90s"),
        (.seconds(7200), "2h"),
        (.seconds(5400), "90min"),
        (.microseconds(1500), "1500us"),
        (.nanoseconds(7), "7ns"),
        (.seconds(-5), "-5s"),
    ])
    func formats(value: Duration, expected: String) {
        #expect(value.configString == expected)
    }

    /// Every value that can be written back is read back unchanged (nanosecond-only values excepted).
    @Test func formattingRoundTrips() throws {
        // Seeded, so the test always checks the same values.
        var generator = ElectionRandom(seed: 42)
        for _ in 0..<2000 {
            let unit: Int64 = [1_000, 1_000_000, 1_000_000_000, 60_000_000_000, 3_600_000_000_000].randomElement(using: &generator)!
            let value = Duration.nanoseconds(Int64.random(in: 0...1_000_000, using: &generator) * unit)
            #expect(try Duration(configValue: value.configString) == value, "\(value.configString)")
        }
    }
}
