/// Text from outside (a datagram's node name, a peer's release string) made safe to log:
/// control characters (C0, DEL, C1, and the Unicode line and paragraph separators) are
/// written as escapes (`\n`, `\u{1B}`), so that no peer can forge a log line, move the
/// cursor or colour a terminal, and anything longer than `limit` characters is cut with "…".
public enum LogSafeText {
    public static func escape(_ text: some StringProtocol, limit: Int = 200) -> String {
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == limit {
                out += "…"
                break
            }
            count += 1
            switch scalar.value {
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x5C: out += "\\\\"
            case 0x00..<0x20, 0x7F..<0xA0, 0x2028, 0x2029:
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
