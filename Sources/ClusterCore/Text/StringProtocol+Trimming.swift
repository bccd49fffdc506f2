extension StringProtocol {
    /// The text without leading and trailing white space: spaces, tabs and other Unicode
    /// spaces, and, unless `newlines` is false, line breaks too (the same sets as Foundation's
    /// `.whitespacesAndNewlines` and `.whitespaces`, which this package does not link).
    public func trimmingWhitespace(newlines: Bool = true) -> String {
        func isTrimmed(_ scalar: Unicode.Scalar) -> Bool {
            let isBreak = scalar.properties.generalCategory == .lineSeparator
                || scalar.properties.generalCategory == .paragraphSeparator
                || (0x0A...0x0D).contains(scalar.value) || scalar.value == 0x85
            if isBreak { return newlines }
            return scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator
        }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isTrimmed($0) }),
              let last = scalars.lastIndex(where: { !isTrimmed($0) })
        else { return "" }
        var kept = String.UnicodeScalarView()
        kept.append(contentsOf: scalars[first...last])
        return String(kept)
    }
}
