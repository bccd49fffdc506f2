@testable import ClusterCore
@testable import ClusterHost
import Testing

/// Who may do what over the control socket (the user database), and the client's exit statuses.
struct ControlAuthorizationTests {
    @Test("exit statuses of client errors follow the spec")
    func clientExitStatuses() {
        #expect(ControlClientError.noSocket(path: "/x").exitStatus == 3)
        #expect(ControlClientError.notListening(path: "/x").exitStatus == 3)
        #expect(ControlClientError.permissionDenied(path: "/x").exitStatus == 4)
    }

    @Test("root may change the cluster; an unknown uid may do nothing")
    func authorization() {
        let authorization = ControlAuthorization(group: "no-such-group-\(UInt32.random(in: 0...UInt32.max))")
        #expect(authorization.access(for: PeerCredentials(pid: 1, uid: 0, gid: 0)) == .change)
        #expect(authorization.access(for: PeerCredentials(pid: 1, uid: 54_321, gid: 54_321)) == .none)
        // The group of the peer's primary gid counts.
        let root = ControlAuthorization(group: "root")
        #expect(root.access(for: PeerCredentials(pid: 1, uid: 54_321, gid: 0)) == .change)
    }
}
