import FoundationEssentials

/// Parses the fixed metadata schema of fence agents: `<resource-agent>`, `<parameter>`
/// with `<content>`, `<action>`. A small tag scanner rather than a general XML parser:
/// element text (descriptions) is ignored except the root's `shortdesc` attribute, and
/// only the five predefined entities are decoded in attribute values.
public struct AgentMetadataParser: Sendable {
    public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        case noResourceAgentElement
        case unterminatedTag(offset: Int)
        case parameterWithoutName(offset: Int)
        case actionWithoutName(offset: Int)
        case noActions

        public var description: String {
            switch self {
            case .noResourceAgentElement: return "no <resource-agent> element"
            case .unterminatedTag(let offset): return "unterminated tag at byte \(offset)"
            case .parameterWithoutName(let offset): return "<parameter> without a name at byte \(offset)"
            case .actionWithoutName(let offset): return "<action> without a name at byte \(offset)"
            case .noActions: return "no <action> elements"
            }
        }
    }

    struct Tag {
        var name: String
        var attributes: [String: String]
        var closing: Bool
        var selfClosing: Bool
        var offset: Int
    }

    public init() {}

    public func parse(_ xml: String) throws(ParseError) -> AgentMetadata {
        var metadata: AgentMetadata?
        var current: AgentMetadata.Parameter?
        var inActions = false
        for tag in try tags(in: Array(xml.utf8)) {
            switch (tag.name, tag.closing) {
            case ("resource-agent", false):
                metadata = AgentMetadata(agent: tag.attributes["name"] ?? "",
                                         shortDescription: tag.attributes["shortdesc"] ?? "",
                                         parameters: [], actions: [])
            case ("parameter", false):
                guard let name = tag.attributes["name"], !name.isEmpty else {
                    throw .parameterWithoutName(offset: tag.offset)
                }
                let parameter = AgentMetadata.Parameter(
                    name: name,
                    required: Self.flag(tag.attributes["required"]),
                    deprecated: Self.flag(tag.attributes["deprecated"]),
                    obsoletes: tag.attributes["obsoletes"])
                if tag.selfClosing { metadata?.parameters.append(parameter) } else { current = parameter }
            case ("content", false):
                if let type = tag.attributes["type"].flatMap(AgentMetadata.Parameter.ContentType.init(rawValue:)) {
                    current?.type = type
                }
                current?.defaultValue = tag.attributes["default"]
            case ("parameter", true):
                if let parameter = current { metadata?.parameters.append(parameter) }
                current = nil
            case ("actions", false):
                inActions = true
            case ("actions", true):
                inActions = false
            case ("action", false) where inActions:
                guard let name = tag.attributes["name"], !name.isEmpty else {
                    throw .actionWithoutName(offset: tag.offset)
                }
                metadata?.actions.append(AgentMetadata.Action(
                    name: name,
                    automatic: Self.flag(tag.attributes["automatic"]),
                    onTarget: Self.flag(tag.attributes["on_target"])))
            default:
                continue
            }
        }
        guard let result = metadata else { throw .noResourceAgentElement }
        guard !result.actions.isEmpty else { throw .noActions }
        return result
    }

    private static func flag(_ value: String?) -> Bool {
        guard let value else { return false }
        return ["1", "true", "yes", "on"].contains(value.lowercased())
    }

    /// Every element tag in document order; comments, `<?...?>`, `<!...>` and CDATA skipped.
    func tags(in bytes: [UInt8]) throws(ParseError) -> [Tag] {
        var result: [Tag] = []
        var i = 0
        let lt = UInt8(ascii: "<"), gt = UInt8(ascii: ">"), quote = UInt8(ascii: "\""), apostrophe = UInt8(ascii: "'")
        while i < bytes.count {
            guard bytes[i] == lt else { i += 1; continue }
            let start = i
            if Self.hasPrefix(bytes, at: i, "<!--") {
                guard let end = Self.find(bytes, "-->", from: i + 4) else { throw .unterminatedTag(offset: start) }
                i = end + 3
                continue
            }
            if Self.hasPrefix(bytes, at: i, "<![CDATA[") {
                guard let end = Self.find(bytes, "]]>", from: i + 9) else { throw .unterminatedTag(offset: start) }
                i = end + 3
                continue
            }
            // Find the closing '>' outside quoted attribute values.
            var j = i + 1
            var inQuote: UInt8?
            while j < bytes.count {
                let c = bytes[j]
                if let q = inQuote { if c == q { inQuote = nil } }
                else if c == quote || c == apostrophe { inQuote = c }
                else if c == gt { break }
                j += 1
            }
            guard j < bytes.count else { throw .unterminatedTag(offset: start) }
            let body = Array(bytes[(i + 1)..<j])
            i = j + 1
            guard let first = body.first, first != UInt8(ascii: "?"), first != UInt8(ascii: "!") else { continue }
            result.append(Self.tag(from: body, offset: start))
        }
        return result
    }

    private static func tag(from body: [UInt8], offset: Int) -> Tag {
        var body = body[...]
        let closing = body.first == UInt8(ascii: "/")
        if closing { body = body.dropFirst() }
        let selfClosing = body.last == UInt8(ascii: "/")
        if selfClosing { body = body.dropLast() }
        let text = String(decoding: body, as: UTF8.self)
        var scanner = text.unicodeScalars[...]
        let name = String(String.UnicodeScalarView(scanner.prefix { !$0.properties.isWhitespace }))
        scanner = scanner.dropFirst(name.unicodeScalars.count)
        var attributes: [String: String] = [:]
        while true {
            scanner = scanner.drop { $0.properties.isWhitespace }
            let key = String(String.UnicodeScalarView(scanner.prefix { $0 != "=" && !$0.properties.isWhitespace }))
            guard !key.isEmpty else { break }
            scanner = scanner.dropFirst(key.unicodeScalars.count).drop { $0.properties.isWhitespace }
            guard scanner.first == "=" else { attributes[key] = ""; continue }
            scanner = scanner.dropFirst().drop { $0.properties.isWhitespace }
            guard let q = scanner.first, q == "\"" || q == "'" else { break }
            scanner = scanner.dropFirst()
            let value = String(String.UnicodeScalarView(scanner.prefix { $0 != q }))
            scanner = scanner.dropFirst(value.unicodeScalars.count + 1)
            attributes[key] = decodeEntities(value)
        }
        return Tag(name: name, attributes: attributes, closing: closing, selfClosing: selfClosing, offset: offset)
    }

    private static func decodeEntities(_ value: String) -> String {
        guard value.contains("&") else { return value }
        return value
            .replacing("&lt;", with: "<").replacing("&gt;", with: ">")
            .replacing("&quot;", with: "\"").replacing("&apos;", with: "'")
            .replacing("&amp;", with: "&")
    }

    private static func hasPrefix(_ bytes: [UInt8], at index: Int, _ prefix: String) -> Bool {
        let p = Array(prefix.utf8)
        guard index + p.count <= bytes.count else { return false }
        return Array(bytes[index..<(index + p.count)]) == p
    }

    private static func find(_ bytes: [UInt8], _ needle: String, from: Int) -> Int? {
        let n = Array(needle.utf8)
        var i = from
        while i + n.count <= bytes.count {
            if Array(bytes[i..<(i + n.count)]) == n { return i }
            i += 1
        }
        return nil
    }
}
