/// A classic BPF program for the cluster port's sockets (`SO_ATTACH_FILTER`): the kernel drops
/// what cannot be a peer's datagram before it takes room in the socket's receive queue, so a
/// flood of it costs the daemon nothing and cannot push the peers' heartbeats out.
///
/// It passes a datagram only if it comes from a configured peer address on the cluster port
/// and starts with the magic, the wire version and the cluster's tag. Under a flood of forged
/// runs (`sampleUnknownRuns`), a datagram from a peer address whose run (incarnation) is known
/// passes only with that run; others pass one in `sampleUnknownRuns`, so that a flood of new
/// runs reaches the daemon thinned out (and the per-peer budget of `DatagramAdmission` after it).
///
/// The socket filter sees a UDP datagram from its UDP header on (offset 0), and the IP header
/// at the kernel's network-header offset (`netOffset`). Pure: the instructions are values.
public struct SocketFilterProgram: Sendable, Equatable {
    /// One `struct sock_filter`.
    public struct Instruction: Sendable, Equatable {
        public var code: UInt16
        public var jt: UInt8
        public var jf: UInt8
        public var k: UInt32
    }

    public enum Family: Sendable, Equatable {
        case v4, v6
    }

    /// A peer address the filter passes, with the run of that peer known to this node.
    public struct Source: Sendable, Equatable {
        public var address: [UInt8]
        public var knownIncarnation: Incarnation?

        public init(address: [UInt8], knownIncarnation: Incarnation?) {
            self.address = address
            self.knownIncarnation = knownIncarnation
        }
    }

    public let instructions: [Instruction]

    // Linux's classic BPF encodings (linux/bpf_common.h, linux/filter.h).
    static let ldW: UInt16 = 0x20, ldH: UInt16 = 0x28, ldB: UInt16 = 0x30
    static let ldIndW: UInt16 = 0x40, ldIndB: UInt16 = 0x50
    static let addK: UInt16 = 0x04, addX: UInt16 = 0x0C, tax: UInt16 = 0x07
    static let ja: UInt16 = 0x05, jeqK: UInt16 = 0x15, jgeK: UInt16 = 0x35
    static let retK: UInt16 = 0x06
    static let netOffset: Int32 = -0x100000
    static let randomOffset: Int32 = -0x1000 + 56

    /// - Parameters:
    ///   - family: the socket's address family (which IP header to read the source from).
    ///   - port: the cluster port, the source port of every peer datagram.
    ///   - sources: the peers' addresses of this family (4 or 16 bytes each).
    ///   - sampleUnknownRuns: nil: any run passes; N: a datagram whose run is not its source's
    ///     known run passes with probability 1/N.
    public init(family: Family, port: UInt16, clusterTag: [UInt8], version: UInt8, sources: [Source], sampleUnknownRuns: UInt32? = nil) {
        precondition(clusterTag.count == 4, "the cluster tag is 4 bytes")
        let addressSize = family == .v4 ? 4 : 16
        precondition(sources.allSatisfy { $0.address.count == addressSize }, "source addresses of another family")
        var asm = Assembler()
        // Conditional jumps reach 255 instructions at most: each one targets a nearby label,
        // and an unconditional `ja` (32-bit offset) goes the rest of the way.
        // UDP source port.
        asm.load(Self.ldH, 0)
        asm.jump(ifEqual: UInt32(port), then: .label("port"), else: .next)
        asm.always(.label("drop"))
        asm.mark("port")
        // The source address, word by word, against each peer address.
        let sourceOffset: Int32 = family == .v4 ? 12 : 8
        for (index, source) in sources.enumerated() {
            let words = stride(from: 0, to: addressSize, by: 4).map { offset in
                source.address[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            }
            for (w, word) in words.enumerated() {
                asm.load(Self.ldW, Self.netOffset + sourceOffset + Int32(w * 4))
                asm.jump(ifEqual: word, then: .next, else: .label("notSource\(index)"))
            }
            asm.always(.label("source\(index)"))
            asm.mark("notSource\(index)")
        }
        asm.always(.label("drop"))
        // Per source: the fixed header, then (sampling) its run.
        let magic = WireFormat.magic.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let tag = clusterTag.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        for (index, source) in sources.enumerated() {
            let fail = "fail\(index)", sample = "sample\(index)", accept = "accept\(index)"
            asm.mark("source\(index)")
            asm.load(Self.ldW, 8)
            asm.jump(ifEqual: magic, then: .next, else: .label(fail))
            asm.load(Self.ldB, 12)
            asm.jump(ifEqual: UInt32(version), then: .next, else: .label(fail))
            asm.load(Self.ldW, 14)
            asm.jump(ifEqual: tag, then: .next, else: .label(fail))
            if sampleUnknownRuns != nil, let known = source.knownIncarnation {
                // Incarnation offset: 8 (UDP) + 12 + sender length + recipient length.
                asm.load(Self.ldB, 18)
                asm.instruction(Self.addK, k: 19)
                asm.instruction(Self.tax)
                asm.load(Self.ldIndB, 0)
                asm.instruction(Self.addX)
                asm.instruction(Self.addK, k: 1)
                asm.instruction(Self.tax)
                asm.load(Self.ldIndW, 0)
                asm.jump(ifEqual: UInt32(truncatingIfNeeded: known.rawValue >> 32), then: .next, else: .label(sample))
                asm.load(Self.ldIndW, 4)
                asm.jump(ifEqual: UInt32(truncatingIfNeeded: known.rawValue), then: .label(accept), else: .label(sample))
            } else if sampleUnknownRuns != nil {
                asm.always(.label(sample))  // no run of this peer known yet: every one is new
            }
            asm.mark(accept)
            asm.always(.label("accept"))
            asm.mark(sample)
            asm.always(.label(sampleUnknownRuns == nil ? "accept" : "sample"))
            asm.mark(fail)
            asm.always(.label("drop"))
        }
        asm.mark("sample")
        if let sample = sampleUnknownRuns {
            asm.load(Self.ldW, Self.randomOffset)
            asm.jump(ifGreaterOrEqual: UInt32.max / max(sample, 1), then: .label("drop"), else: .next)
        }
        asm.mark("accept")
        asm.instruction(Self.retK, k: UInt32.max)
        asm.mark("drop")
        asm.instruction(Self.retK, k: 0)
        instructions = asm.assembled()
    }

    /// Builds the instruction list with symbolic jump targets, then resolves them.
    private struct Assembler {
        enum Target: Equatable {
            case next
            case label(String)
        }

        private enum Pending {
            case plain(Instruction)
            case conditional(code: UInt16, k: UInt32, then: Target, else: Target)
            case always(String)
        }

        private var pending: [Pending] = []
        private var labels: [String: Int] = [:]

        mutating func instruction(_ code: UInt16, k: UInt32 = 0) {
            pending.append(.plain(Instruction(code: code, jt: 0, jf: 0, k: k)))
        }

        mutating func load(_ code: UInt16, _ offset: Int32) {
            instruction(code, k: UInt32(bitPattern: offset))
        }

        mutating func jump(ifEqual k: UInt32, then: Target, else otherwise: Target) {
            pending.append(.conditional(code: SocketFilterProgram.jeqK, k: k, then: then, else: otherwise))
        }

        mutating func jump(ifGreaterOrEqual k: UInt32, then: Target, else otherwise: Target) {
            pending.append(.conditional(code: SocketFilterProgram.jgeK, k: k, then: then, else: otherwise))
        }

        mutating func always(_ target: Target) {
            guard case let .label(name) = target else { return }
            pending.append(.always(name))
        }

        mutating func mark(_ label: String) {
            precondition(labels[label] == nil, "label \(label) defined twice")
            labels[label] = pending.count
        }

        func assembled() -> [Instruction] {
            func offset(_ target: Target, from index: Int) -> Int {
                switch target {
                case .next: return 0
                case let .label(name):
                    guard let at = labels[name] else { preconditionFailure("label \(name) never defined") }
                    precondition(at > index, "cBPF jumps go forward only (\(name))")
                    return at - index - 1
                }
            }
            return pending.enumerated().map { index, item in
                switch item {
                case let .plain(instruction):
                    return instruction
                case let .conditional(code, k, then, otherwise):
                    let jt = offset(then, from: index), jf = offset(otherwise, from: index)
                    precondition(jt <= 255 && jf <= 255, "conditional jump too far for cBPF")
                    return Instruction(code: code, jt: UInt8(jt), jf: UInt8(jf), k: k)
                case let .always(name):
                    return Instruction(code: SocketFilterProgram.ja, jt: 0, jf: 0, k: UInt32(offset(.label(name), from: index)))
                }
            }
        }
    }
}
