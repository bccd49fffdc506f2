import FoundationEssentials

/// The control protocol: newline-delimited JSON over the daemon's Unix stream socket.
///
/// Client → daemon, one line per request: `{"v":1,"id":7,"request":{"type":"status"}}`.
/// Daemon → client, one line per response with the same id:
/// `{"v":1,"id":7,"result":{"type":"status","status":{...}}}` or
/// `{"v":1,"id":7,"error":{"code":"no_quorum","message":"...",...}}`.
/// A connection may carry several requests in turn. An `events` request with
/// `follow` gets its backlog, then one `event` result per new event until the
/// client closes the connection.
public enum ControlProtocol {
    /// The version this build speaks.
    public static let version = 1
    /// Longest request line accepted (bytes, newline excluded); longer ones get `bad_request`.
    public static let maxRequestBytes = 64 * 1024
    /// Longest response line a client accepts (a status of 32 nodes, 1000 events, ...).
    public static let maxResponseBytes = 16 * 1024 * 1024

    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// One request line (with its trailing newline).
    public static func encodeRequest(_ request: ControlRequest, id: UInt64) throws -> Data {
        var data = try makeEncoder().encode(ControlRequestEnvelope(version: version, id: id, request: request))
        data.append(0x0A)
        return data
    }

    /// One response line (with its trailing newline).
    public static func encodeResponse(_ response: ControlResponse, id: UInt64?) -> Data {
        let envelope = ControlResponseEnvelope(version: version, id: id, response: response)
        var data: Data
        do {
            data = try makeEncoder().encode(envelope)
        } catch {
            // Only a non-finite Double could get here; answer with an error that always encodes.
            let fallback = ControlResponseEnvelope(version: version, id: id, response: .error(.internal(message: "could not encode the response: \(error)")))
            data = (try? makeEncoder().encode(fallback)) ?? Data(#"{"v":1,"error":{"code":"internal","message":"encoding failed"}}"#.utf8)
        }
        data.append(0x0A)
        return data
    }

    /// Decodes a request line. Never throws: a malformed line yields the error to send back,
    /// with the request's id when it could be read.
    public static func decodeRequest(_ line: some Collection<UInt8>) -> (id: UInt64?, outcome: Result<ControlRequest, ControlError>) {
        let data = Data(line)
        let decoder = JSONDecoder()
        guard let header = try? decoder.decode(ControlEnvelopeHeader.self, from: data) else {
            return (nil, .failure(.badRequest(reason: "not a JSON object with a numeric \"v\" and \"id\": \(preview(data))")))
        }
        guard let v = header.v else {
            return (header.id, .failure(.badRequest(reason: "missing protocol version \"v\"")))
        }
        guard v == version else {
            return (header.id, .failure(.unsupportedVersion(received: v, supported: version)))
        }
        do {
            let envelope = try decoder.decode(ControlRequestEnvelope.self, from: data)
            return (envelope.id, .success(envelope.request))
        } catch let error as DecodingError {
            return (header.id, .failure(.badRequest(reason: describe(error))))
        } catch {
            return (header.id, .failure(.badRequest(reason: "\(error)")))
        }
    }

    /// Decodes a response line (client side).
    public static func decodeResponse(_ line: some Collection<UInt8>) throws -> ControlResponseEnvelope {
        try JSONDecoder().decode(ControlResponseEnvelope.self, from: Data(line))
    }

    /// A decoding error as one readable line: the JSON path and what was wrong.
    public static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "the request" : keys.joined(separator: ".")
        }
        switch error {
        case let .keyNotFound(key, context):
            return "missing key \"\(key.stringValue)\" in \(path(context))"
        case let .typeMismatch(type, context):
            return "\(path(context)): expected \(type)"
        case let .valueNotFound(type, context):
            return "\(path(context)): expected \(type), got null"
        case let .dataCorrupted(context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    static func preview(_ data: Data) -> String {
        let text = String(decoding: data.prefix(80), as: UTF8.self)
        return data.count > 80 ? "'\(text)...'" : "'\(text)'"
    }
}

/// The fields read before the rest of a request, so that errors can carry the id.
struct ControlEnvelopeHeader: Decodable {
    var v: Int?
    var id: UInt64?
}
