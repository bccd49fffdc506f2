/// One response line: `{"v":1,"id":7,"result":{...}}` or `{"v":1,"id":7,"error":{...}}`.
public struct ControlResponseEnvelope: Sendable, Equatable, Codable {
    public var version: Int
    /// The request's id; nil when the request was too malformed to read it.
    public var id: UInt64?
    public var response: ControlResponse

    public init(version: Int = ControlProtocol.version, id: UInt64?, response: ControlResponse) {
        self.version = version
        self.id = id
        self.response = response
    }

    private enum CodingKeys: String, CodingKey {
        case version = "v"
        case id, result, error
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decode(Int.self, forKey: .version)
        id = try c.decodeIfPresent(UInt64.self, forKey: .id)
        if let error = try c.decodeIfPresent(ControlError.self, forKey: .error) {
            response = .error(error)
        } else {
            response = .result(try c.decode(ControlResult.self, forKey: .result))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(id, forKey: .id)
        switch response {
        case let .result(result): try c.encode(result, forKey: .result)
        case let .error(error): try c.encode(error, forKey: .error)
        }
    }
}
