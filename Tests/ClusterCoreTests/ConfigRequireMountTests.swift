import ClusterCore
import CoreTestSupport
import Foundation
import Testing

/// `[storage] require_mount`: the lock only on a mounted storage, on by default.
struct ConfigRequireMountTests {
    @Test func onByDefaultOffWhenSaidAndABadValueNamesTheKey() throws {
        #expect(try ConfigLoader.parse(toml: ConfigFixtures.base, path: nil).storage.requireMount)
        let off = ConfigFixtures.base.replacingOccurrences(of: "lock_file = \"/dataiku/.hacluster.lock\"",
                                                           with: "lock_file = \"/dataiku/.hacluster.lock\"\nrequire_mount = false")
        #expect(try !ConfigLoader.parse(toml: off, path: nil).storage.requireMount)
        let bad = off.replacingOccurrences(of: "require_mount = false", with: "require_mount = \"no\"")
        do {
            _ = try ConfigLoader.parse(toml: bad, path: "/etc/hacluster/haclusterd.toml")
            Issue.record("a string was accepted for require_mount")
        } catch {
            #expect("\(error)".contains("storage.require_mount"), "\(error)")
        }
    }
}
