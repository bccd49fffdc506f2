import ClusterCore
import ClusterHost
import NIOCore

/// One unit read from a control connection.
enum ControlFrame: Sendable {
    /// A request line, newline excluded.
    case line(ByteBuffer)
    /// A line longer than the limit; its bytes were discarded.
    case oversized(limit: Int)
}

/// Splits the byte stream into newline-terminated lines, refusing lines over
/// `maxLength` without buffering them. Each byte is looked at once: the search for the
/// newline resumes where the previous call stopped (a client sending a request one byte at
/// a time costs linear, not quadratic, work).
struct ControlFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ControlFrame

    let maxLength: Int
    private var discarding = false
    /// Bytes after the reader index already known to hold no newline.
    private var scanned = 0

    init(maxLength: Int) {
        self.maxLength = maxLength
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        let start = view.index(view.startIndex, offsetBy: min(scanned, view.count))
        if let newline = view[start...].firstIndex(of: 0x0A) {
            scanned = 0
            let length = newline - buffer.readerIndex
            if discarding {
                buffer.moveReaderIndex(forwardBy: length + 1)
                discarding = false
                return .continue
            }
            if length > maxLength {
                buffer.moveReaderIndex(forwardBy: length + 1)
                context.fireChannelRead(wrapInboundOut(.oversized(limit: maxLength)))
                return .continue
            }
            let line = buffer.readSlice(length: length)!
            buffer.moveReaderIndex(forwardBy: 1)
            context.fireChannelRead(wrapInboundOut(.line(line)))
            return .continue
        }
        scanned = view.count
        if buffer.readableBytes > maxLength {
            if !discarding {
                discarding = true
                context.fireChannelRead(wrapInboundOut(.oversized(limit: maxLength)))
            }
            buffer.moveReaderIndex(to: buffer.writerIndex)
            scanned = 0
        }
        return .needMoreData
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        // A last request without its newline still counts (e.g. `printf '{...}' | socat`).
        if !discarding, buffer.readableBytes > 0, let line = buffer.readSlice(length: buffer.readableBytes) {
            context.fireChannelRead(wrapInboundOut(.line(line)))
        }
        return .needMoreData
    }
}
