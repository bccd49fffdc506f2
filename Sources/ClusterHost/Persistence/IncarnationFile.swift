import ClusterCore
/// The incarnation of the last run, kept in `state_dir/incarnation`, so each
/// start of the daemon gets a strictly greater one even if the wall clock went
/// back (peers reject datagrams of an older incarnation).
public struct IncarnationFile: Sendable {
    public static let fileName = "incarnation"
    private let file: StateFile<Incarnation>

    public init(directory: String) {
        file = StateFile(path: directory + "/" + Self.fileName, kind: "incarnation")
    }

    public var path: String { file.path }

    /// Picks this run's incarnation (`Incarnation.next`) and stores it durably
    /// before returning it: it must be on disk before the first datagram is
    /// sent. A damaged file is an error (the daemon must not start).
    public func advance(
        wallClockMilliseconds: UInt64 = SystemClock.wallClockMilliseconds(),
        random: UInt16 = .random(in: .min ... .max)
    ) throws(StateStoreError) -> Incarnation {
        let next = Incarnation.next(after: try file.load(), wallClockMilliseconds: wallClockMilliseconds, random: random)
        try file.save(next)
        return next
    }
}
