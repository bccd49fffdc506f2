import Foundation
import Testing
@testable import ClusterCore

@Suite struct WireByteCodingTests {
    @Test func integersAreBigEndianAndRoundTrip() throws {
        var writer = ByteWriter()
        writer.write(UInt8(0xAB))
        writer.write(UInt16(0x0102))
        writer.write(UInt32(0x0304_0506))
        writer.write(UInt64(0x0708_090A_0B0C_0D0E))
        writer.write(Int64(-2))
        writer.write(true)
        writer.write("dss1")
        #expect(Array(writer.bytes.prefix(15)) == [0xAB, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14])
        var reader = ByteReader(writer.bytes)
        #expect(try reader.readUInt8("a") == 0xAB)
        #expect(try reader.readUInt16("b") == 0x0102)
        #expect(try reader.readUInt32("c") == 0x0304_0506)
        #expect(try reader.readUInt64("d") == 0x0708_090A_0B0C_0D0E)
        #expect(try reader.readInt64("e") == -2)
        #expect(try reader.readBool("f") == true)
        #expect(try reader.readString("g") == "dss1")
        try reader.expectEnd("end")
    }

    @Test func readsPastTheEndNameTheField() {
        var reader = ByteReader([0, 1, 2])
        #expect(throws: WireError.malformed(field: "term", reason: "needs 8 bytes, 3 left")) { try reader.readUInt64("term") }
        var lying = ByteReader([10, 65, 66])
        #expect(throws: WireError.self) { try lying.readString("name") }
    }

    @Test func invalidUTF8BoolAndPresenceBytesAreMalformed() {
        var badString = ByteReader([2, 0xC3, 0x28])
        #expect(throws: WireError.malformed(field: "name", reason: "not valid UTF-8")) { try badString.readString("name") }
        var badBool = ByteReader([2])
        #expect(throws: WireError.self) { try badBool.readBool("flag") }
        var badPresence = ByteReader([7, 1])
        #expect(throws: WireError.self) { try badPresence.readOptional("maybe") { (r: inout ByteReader) throws(WireError) in try r.readUInt8("x") } }
    }

    @Test func arrayCountIsBoundedBeforeAllocation() {
        var huge = ByteReader([0xFF, 0xFF, 1, 2])
        #expect(throws: WireError.self) { try huge.readArray("items", maxCount: 100) { (r: inout ByteReader) throws(WireError) in try r.readUInt8("item") } }
        var tooFew = ByteReader([0, 5, 1, 2])
        #expect(throws: WireError.self) { try tooFew.readArray("items", maxCount: 100) { (r: inout ByteReader) throws(WireError) in try r.readUInt8("item") } }
    }

    @Test func replayWindowSlidesLikeIPsec() {
        var window = ReplayWindow()
        #expect(window.verdict(for: 0) == .tooOld)
        window.accept(1)
        window.accept(3)
        #expect(window.verdict(for: 2) == .fresh)
        #expect(window.verdict(for: 3) == .duplicate)
        window.accept(3 + ReplayWindow.size - 1)
        #expect(window.verdict(for: 3) == .duplicate)
        #expect(window.verdict(for: 2) == .tooOld)
        #expect(window.verdict(for: 4) == .fresh)
        window.accept(1000)
        #expect(window.verdict(for: 1000 - ReplayWindow.size + 1) == .fresh)
        #expect(window.verdict(for: 1000 - ReplayWindow.size) == .tooOld)
    }

    @Test func incarnationsIncreaseEvenWhenTheClockGoesBack() {
        #expect(Incarnation.next(after: nil, wallClockMilliseconds: 5, random: 0x1234) == Incarnation(5 << 16 | 0x1234))
        #expect(Incarnation.next(after: Incarnation(4 << 16), wallClockMilliseconds: 5, random: 1) == Incarnation(5 << 16 | 1))
        #expect(Incarnation.next(after: Incarnation(9 << 16), wallClockMilliseconds: 5, random: 1) == Incarnation(9 << 16 + 1))
        // Same millisecond, lower random part: still increasing.
        #expect(Incarnation.next(after: Incarnation(5 << 16 | 9), wallClockMilliseconds: 5, random: 3) == Incarnation(5 << 16 | 10))
    }
}

@Suite struct WireCountersTests {
    @Test func countersEncodeAsAFlatJSONObjectAndFlattenForMetrics() throws {
        var counters = WireCounters()
        counters.accepted = 5
        counters.count(.authenticationFailed(sender: "dss2"))
        counters.count(.badMagic)
        counters.count(.badMagic)
        let json = String(decoding: try JSONEncoder.sorted.encode(counters), as: UTF8.self)
        #expect(json == #"{"accepted":5,"rejected":{"authentication_failed":1,"bad_magic":2},"sealed":0}"#)
        #expect(counters.totalRejected == 3)
        let flat = Dictionary(uniqueKeysWithValues: counters.flattened.map { ($0.name, $0.value) })
        #expect(flat["rejected_bad_magic"] == 2 && flat["rejected_replayed"] == 0 && flat["accepted"] == 5)
        #expect(flat.count == 2 + WireError.Reason.allCases.count)
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
