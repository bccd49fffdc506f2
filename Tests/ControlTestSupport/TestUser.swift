import ClusterCore
import ClusterHost
import Foundation

/// A system user (and optionally group) made for one test and removed after it.
public final class TestUser {
    public let name: String
    public let uid: UInt32
    public let gid: UInt32

    public init(_ tag: String, supplementaryGroup: String? = nil) throws {
        name = "hacd\(tag)\(UInt16.random(in: 1000...9999))"
        var arguments = ["/usr/sbin/useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "--user-group"]
        if let supplementaryGroup { arguments += ["--groups", supplementaryGroup] }
        let result = try runProcess(arguments + [name])
        guard result.status == 0, let uid = ControlAuthorization.userID(named: name) else {
            throw TestUserError.cannotCreate(name, result.stderr)
        }
        self.uid = uid
        self.gid = ControlAuthorization.groupID(named: name) ?? uid
    }

    /// `setpriv` the command to this user with its groups from the user database.
    public func command(_ arguments: [String]) -> [String] {
        ["/usr/bin/setpriv", "--reuid=\(uid)", "--regid=\(gid)", "--init-groups", "--"] + arguments
    }

    deinit {
        _ = try? runProcess(["/usr/sbin/userdel", name])
    }
}

public enum TestUserError: Error {
    case cannotCreate(String, String)
}
