extension ArbiterCodec {
    /// Decodes the blocks of `layout.slotsRange` (the bytes from offset 4096 to the end of
    /// the file: each slot's heartbeat block, then its mailbox block). A range shorter than
    /// the layout's leaves the missing blocks `truncated`.
    public func decodeSlots(_ bytes: [UInt8]) -> ArbiterSnapshot {
        var heartbeats: [String: ArbiterRecord<ArbiterHeartbeat>] = [:]
        var mailboxes: [String: ArbiterRecord<ArbiterPoison>] = [:]
        for slot in layout.slots {
            heartbeats[slot.node] = decodeHeartbeat(block(at: slot.heartbeatOffset, of: bytes), of: slot.node)
            mailboxes[slot.node] = decodePoison(block(at: slot.mailboxOffset, of: bytes), for: slot.node)
        }
        return ArbiterSnapshot(heartbeats: heartbeats, mailboxes: mailboxes)
    }

    /// The block at file offset `offset` out of the slots range.
    private func block(at offset: Int, of bytes: [UInt8]) -> [UInt8] {
        let start = offset - layout.slotsRange.lowerBound
        guard start < bytes.count else { return [] }
        return Array(bytes[start..<min(start + ArbiterLayout.blockSize, bytes.count)])
    }
}
