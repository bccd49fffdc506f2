/// Reads what `systemctl show -p TimeoutStartUSec -p TimeoutStopUSec -p UnitFileState UNIT`
/// prints (`NAME=value` lines, timespans as systemd formats them: `1min 30s`, `100ms`,
/// `infinity`) into `UnitSettings`, for `hactl config check`, which has no D-Bus of its own
/// (pure: the shell runs systemctl).
public enum SystemctlShow {
    /// The properties to ask for, in `systemctl show -p` form.
    public static let properties = ["TimeoutStartUSec", "TimeoutStopUSec", "UnitFileState", "LoadState"]

    /// nil when systemd does not know the unit (`LoadState=not-found`) or printed nothing usable.
    public static func settings(unit: String, output: String) -> UnitSettings? {
        var values: [String: String] = [:]
        for line in output.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        guard let load = values["LoadState"], load != "not-found", values["UnitFileState"] != nil else { return nil }
        return UnitSettings(
            unit: unit,
            timeoutStart: values["TimeoutStartUSec"].flatMap(timespan),
            timeoutStop: values["TimeoutStopUSec"].flatMap(timespan),
            unitFileState: values["UnitFileState"] ?? "")
    }

    /// A systemd timespan as `systemctl show` prints it: space-separated parts, each a number
    /// and a unit (us, ms, s, min, h, d, w, M, y). nil for `infinity`, empty or unreadable text.
    public static func timespan(_ text: String) -> Duration? {
        let parts = text.split(separator: " ")
        guard !parts.isEmpty, text != "infinity" else { return nil }
        var total = Duration.zero
        for part in parts {
            guard let unitStart = part.firstIndex(where: { !$0.isNumber && $0 != "." }),
                  let number = Double(part[..<unitStart]) else { return nil }
            let microseconds: Double
            switch part[unitStart...] {
            case "us", "usec": microseconds = 1
            case "ms", "msec": microseconds = 1_000
            case "s", "sec": microseconds = 1_000_000
            case "min": microseconds = 60_000_000
            case "h": microseconds = 3_600_000_000
            case "d": microseconds = 86_400_000_000
            case "w": microseconds = 604_800_000_000
            case "M": microseconds = 2_629_800_000_000
            case "y": microseconds = 31_557_600_000_000
            default: return nil
            }
            total += .microseconds(Int64((number * microseconds).rounded()))
        }
        return total
    }
}
