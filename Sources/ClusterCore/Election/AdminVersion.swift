/// Version of the replicated admin snapshot; increases with every change a leader makes.
public struct AdminVersion: RawRepresentable, Comparable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    public static let zero = AdminVersion(0)

    public var next: AdminVersion { AdminVersion(rawValue + 1) }

    public static func < (lhs: AdminVersion, rhs: AdminVersion) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}
