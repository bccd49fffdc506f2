import Testing
import ClusterCore

/// `[quorum] wait_for_all`'s default follows `two_node`, as corosync's votequorum does.
@Suite struct ConfigWaitForAllTests {
    static func quorumSection(_ lines: String, twoNodes: Bool) throws -> QuorumSettings {
        let third = twoNodes ? "" : """

            [[node]]
            name = "c"
            addresses = ["198.18.0.3"]
            """
        let text = """
            [cluster]
            name = "q"

            [quorum]
            \(lines)

            [[node]]
            name = "a"
            addresses = ["198.18.0.1"]

            [[node]]
            name = "b"
            addresses = ["198.18.0.2"]
            \(third)

            [service]
            name = "web"
            units = ["web.service"]

            [storage]
            path = "/srv/shared"

            [fencing]
            enabled = \(twoNodes)
            \(twoNodes ? "[[fencing.device]]\nname = \"pdu\"\nagent = \"fence_apc\"\nnodes = [\"a\", \"b\"]" : "")
            """
        return try ConfigLoader.parse(toml: text, path: "/etc/hacluster/q.toml").quorum
    }

    @Test("wait_for_all defaults to two_node, as corosync's; an explicit value wins")
    func waitForAllDefault() throws {
        #expect(try Self.quorumSection("two_node = false", twoNodes: false).waitForAll == false)
        #expect(try Self.quorumSection("two_node = true", twoNodes: true).waitForAll == true)
        #expect(try Self.quorumSection("two_node = false\nwait_for_all = true", twoNodes: false).waitForAll == true)
        #expect(try Self.quorumSection("two_node = true\nwait_for_all = false", twoNodes: true).waitForAll == false)
        #expect(QuorumSettings().waitForAll == false)
        #expect(QuorumSettings(twoNode: true).waitForAll == true)
        #expect(QuorumSettings(twoNode: true, waitForAll: false).waitForAll == false)
    }
}
