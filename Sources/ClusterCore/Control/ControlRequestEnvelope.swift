/// One request line: `{"v":1,"id":7,"request":{...}}`.
public struct ControlRequestEnvelope: Sendable, Equatable, Codable {
    public var version: Int
    /// Chosen by the client; echoed in every response to this request.
    public var id: UInt64
    public var request: ControlRequest

    public init(version: Int = ControlProtocol.version, id: UInt64, request: ControlRequest) {
        self.version = version
        self.id = id
        self.request = request
    }

    private enum CodingKeys: String, CodingKey {
        case version = "v"
        case id, request
    }
}
