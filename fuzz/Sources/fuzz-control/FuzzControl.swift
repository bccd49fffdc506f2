import ClusterCore
import Foundation
import FuzzSupport

/// libFuzzer target for what the daemon does with the bytes of a control connection.
///
/// The input is the connection's byte stream. It is cut into lines the way ClusterNode's
/// ControlFrameDecoder does (internal to ClusterNode, so its rule is restated here): lines end
/// at "\n"; a line longer than `ControlProtocol.maxRequestBytes` is refused (the server answers
/// bad_request and closes the connection); a last line without its newline still counts. Each
/// line goes through `ControlProtocol.decodeRequest`, then:
/// - a request that decodes encodes again (`encodeRequest`) and decodes to the same request
///   with the same id;
/// - the response the server would send for a refused line (`encodeResponse` of the error)
///   is one line that the client (`decodeResponse`) reads back with the same id. Only the
///   input's first refused line is checked this way: most lines of a mutated input are refused,
///   and this round trip through JSON took half of each execution. Every refusal still comes
///   first in some input, so coverage sees each kind of answer.
///
/// Errors are expected; a trap, a sanitizer report or a broken property is a finding.
enum FuzzControl {
    enum Frame {
        case line(ArraySlice<UInt8>)
        case oversized
    }

    static func frames(_ stream: [UInt8], maxLength: Int = ControlProtocol.maxRequestBytes) -> [Frame] {
        var frames: [Frame] = []
        var start = stream.startIndex
        while start < stream.endIndex {
            let end = stream[start...].firstIndex(of: 0x0A) ?? stream.endIndex
            frames.append(end - start > maxLength ? .oversized : .line(stream[start..<end]))
            start = end + 1
        }
        return frames
    }

    static func run(_ stream: [UInt8]) {
        var answeredRefusal = false
        for frame in frames(stream) {
            guard case let .line(line) = frame else {
                respond(.error(.badRequest(reason: "request longer than \(ControlProtocol.maxRequestBytes) bytes")), id: nil)
                return
            }
            let decoded = ControlProtocol.decodeRequest(line)
            switch decoded.outcome {
            case let .success(request):
                guard let id = decoded.id else { finding.fail("a request decoded without an id") }
                roundTrip(request, id: id)
            case let .failure(error):
                if !answeredRefusal {
                    respond(.error(error), id: decoded.id)
                    answeredRefusal = true
                }
            }
        }
    }

    static func roundTrip(_ request: ControlRequest, id: UInt64) {
        let line: Data
        do {
            line = try ControlProtocol.encodeRequest(request, id: id)
        } catch {
            finding.fail("a decoded request does not encode: \(error) for \(request)")
        }
        finding.check(line.last == 0x0A && line.dropLast().firstIndex(of: 0x0A) == nil, "an encoded request is not one line")
        let again = ControlProtocol.decodeRequest(line.dropLast())
        finding.check(again.id == id, "the id changed from \(id) to \(String(describing: again.id))")
        switch again.outcome {
        case let .success(decoded):
            finding.check(decoded == request, "decode(encode(\(request))) gave \(decoded)")
        case let .failure(error):
            finding.fail("an encoded request does not decode: \(error) for \(request)")
        }
    }

    /// The server's answer is one line and the client reads it.
    static func respond(_ response: ControlResponse, id: UInt64?) {
        let line = ControlProtocol.encodeResponse(response, id: id)
        finding.check(line.last == 0x0A && line.dropLast().firstIndex(of: 0x0A) == nil, "a response is not one line")
        do {
            let envelope = try ControlProtocol.decodeResponse(line.dropLast())
            finding.check(envelope.id == id, "the response's id changed from \(String(describing: id)) to \(String(describing: envelope.id))")
        } catch {
            finding.fail("the client cannot read the response \(String(decoding: line, as: UTF8.self)): \(error)")
        }
    }

    static let finding = FuzzFinding(target: "fuzz-control")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzControl(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzControl.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzControlInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    if let directory = ProcessInfo.processInfo.environment["FUZZ_WRITE_SEEDS"] {
        ControlSeeds.write(to: directory)
        exit(0)
    }
    return 0
}
