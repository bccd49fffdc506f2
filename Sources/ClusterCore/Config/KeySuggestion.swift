/// "Did you mean ...?" for unknown keys and sections.
enum KeySuggestion {
    /// The known name closest to `unknown`: a small edit distance (typos, `-` for `_`, case),
    /// else a known name that contains it or that it contains (`timeout` -> `start_timeout`).
    static func closest(to unknown: String, among known: [String]) -> String? {
        let lowered = unknown.lowercased()
        let limit = max(1, min(3, unknown.count / 3))
        let scored = known.map { ($0, editDistance(lowered, $0.lowercased())) }
        if let best = scored.min(by: { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }), best.1 <= limit {
            return best.0
        }
        guard lowered.count >= 4 else { return nil }
        return known
            .filter { $0.lowercased().contains(lowered) || lowered.contains($0.lowercased()) }
            .min { ($0.count, $0) < ($1.count, $1) }
    }

    /// Levenshtein distance.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
