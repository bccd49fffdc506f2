import ClusterCore
import Glibc

/// Decides what a connected peer may do: root and members of the control
/// group (`haclient`, primary or supplementary) may read and change the
/// cluster; members of the read group (`[cluster] control_read_group`, if set) may
/// read only (status, events); everyone else gets nothing.
public struct ControlAuthorization: Sendable {
    public static let defaultGroup = "haclient"

    public var group: String
    public var readGroup: String?

    public init(group: String = ControlAuthorization.defaultGroup, readGroup: String? = nil) {
        self.group = group
        self.readGroup = readGroup
    }

    public func access(for peer: PeerCredentials) -> ControlAccess {
        if peer.uid == 0 { return .change }
        let changeGroup = Self.groupID(named: group)
        let readGroupID = readGroup.flatMap { Self.groupID(named: $0) }
        if let changeGroup, peer.gid == changeGroup { return .change }
        var memberOf: [UInt32] = []
        if changeGroup != nil || readGroupID != nil, let user = Self.userName(uid: peer.uid) {
            memberOf = Self.groups(ofUser: user, primary: Self.primaryGroup(uid: peer.uid) ?? peer.gid)
        }
        if let changeGroup, memberOf.contains(changeGroup) { return .change }
        if let readGroupID, peer.gid == readGroupID || memberOf.contains(readGroupID) { return .read }
        return .none
    }

    /// The error for a peer refused `needed` access.
    public func refusal(for peer: PeerCredentials) -> ControlError {
        .notAuthorized(uid: peer.uid, user: Self.userName(uid: peer.uid), group: group)
    }

    // MARK: - user database (getpwuid_r, getgrnam_r, getgrouplist)

    public static func groupID(named name: String) -> UInt32? {
        var entry = Glibc.group()
        var result: UnsafeMutablePointer<Glibc.group>?
        var buffer = [CChar](repeating: 0, count: 16384)
        let rc = getgrnam_r(name, &entry, &buffer, buffer.count, &result)
        guard rc == 0, result != nil else { return nil }
        return entry.gr_gid
    }

    public static func userName(uid: UInt32) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16384)
        let rc = getpwuid_r(uid, &entry, &buffer, buffer.count, &result)
        guard rc == 0, result != nil, let name = entry.pw_name else { return nil }
        return String(cString: name)
    }

    public static func userID(named name: String) -> UInt32? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16384)
        let rc = getpwnam_r(name, &entry, &buffer, buffer.count, &result)
        guard rc == 0, result != nil else { return nil }
        return entry.pw_uid
    }

    static func primaryGroup(uid: UInt32) -> UInt32? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16384)
        let rc = getpwuid_r(uid, &entry, &buffer, buffer.count, &result)
        guard rc == 0, result != nil else { return nil }
        return entry.pw_gid
    }

    static func groups(ofUser user: String, primary: UInt32) -> [UInt32] {
        var count: Int32 = 64
        for _ in 0..<4 {
            var groups = [gid_t](repeating: 0, count: Int(count))
            var n = count
            if getgrouplist(user, primary, &groups, &n) >= 0 {
                return Array(groups.prefix(Int(n)))
            }
            count = max(n, count * 2)
        }
        return [primary]
    }
}
