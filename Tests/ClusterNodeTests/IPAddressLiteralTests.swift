import ClusterCore
import Glibc
import Testing

/// The core's pure address parser against glibc's `inet_pton` / `inet_ntop`: the same inputs
/// accepted, the same bytes, the same canonical text.
struct IPAddressLiteralTests {
    /// glibc's answer: the bytes and `inet_ntop`'s text, nil when `inet_pton` refuses.
    static func libc(_ text: String) -> (bytes: [UInt8], text: String)? {
        for (family, size) in [(AF_INET, 4), (AF_INET6, 16)] {
            var raw = [UInt8](repeating: 0, count: size)
            guard inet_pton(family, text, &raw) == 1 else { continue }
            var buffer = [CChar](repeating: 0, count: 64)
            guard inet_ntop(family, raw, &buffer, socklen_t(buffer.count)) != nil else { return nil }
            return (raw, String(cString: buffer))
        }
        return nil
    }

    static func agree(_ text: String) -> String? {
        let ours = IPAddressLiteral(text)
        let theirs = libc(text)
        switch (ours, theirs) {
        case (nil, nil): return nil
        case let (ours?, theirs?):
            if ours.bytes != theirs.bytes { return "\(text): bytes \(ours.bytes) vs inet_pton \(theirs.bytes)" }
            if ours.description != theirs.text { return "\(text): text \(ours.description) vs inet_ntop \(theirs.text)" }
            return nil
        case let (ours?, nil): return "\(text): accepted as \(ours), inet_pton refuses it"
        case (nil, _?): return "\(text): refused, inet_pton accepts it"
        }
    }

    static let crafted = [
        "", "0.0.0.0", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3", "1.2.3.4.5", "1..2.3", "1.2.3.4.",
        "::", "::1", "1::", ":", ":::", "1:::2", "::ffff:1.2.3.4", "::1.2.3.4", "::0.0.0.2", "1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "::ffff:0:1.2.3.4",
        "2001:DB8:0::12", "2001:db8::0:1", "fe80::1%eth0", "1:0:0:2:0:0:0:3", "0:0:1:0:0:0:0:0", "12345::", "g::1",
        "::1.2.3", "1.2.3.4::", "1:2::3:4::5", "0:0:0:0:0:ffff:102:304", "0:0:0:0:0:0:0:1", "0:0:0:0:0:0:0:2",
        " 1.2.3.4", "1.2.3.4 ", "0x1.2.3.4", "1:2:3:4:5::1.2.3.4", "::ffff:01.2.3.4", "0::", "::0", "0:0::0:0",
    ]

    @Test("crafted edge cases parse and print as glibc does")
    func craftedCases() {
        let disagreements = Self.crafted.compactMap(Self.agree)
        #expect(disagreements.isEmpty, "\(disagreements.joined(separator: "\n"))")
    }

    @Test("20,000 random strings of address characters parse and print as glibc does")
    func randomCases() {
        var random = ElectionRandom(seed: 0x1A2B_3C4D)
        let alphabet = Array("0123456789abcdefABCDEF::::....")
        var disagreements: [String] = []
        var accepted = 0
        for index in 0..<20_000 {
            let text: String
            if index % 2 == 0 {
                // A random valid address, then a few random edits.
                var words = (0..<8).map { _ in random.next() % 4 == 0 ? 0 : UInt16(truncatingIfNeeded: random.next() >> UInt64(random.next() % 16)) }
                if random.next() % 3 == 0 { words[0...4] = [0, 0, 0, 0, 0] }
                var candidate = IPAddressLiteral(bytes: words.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })!.description
                for _ in 0..<Int(random.next() % 3) where !candidate.isEmpty {
                    var characters = Array(candidate)
                    characters[Int(random.next() % UInt64(characters.count))] = alphabet[Int(random.next() % UInt64(alphabet.count))]
                    candidate = String(characters)
                }
                text = candidate
            } else {
                text = String((0..<Int(random.next() % 20)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
            }
            if Self.libc(text) != nil { accepted += 1 }
            if let disagreement = Self.agree(text) { disagreements.append(disagreement) }
        }
        #expect(accepted > 5_000, "too few valid inputs to mean anything: \(accepted)")
        #expect(disagreements.isEmpty, "\(disagreements.prefix(20).joined(separator: "\n"))")
    }
}
