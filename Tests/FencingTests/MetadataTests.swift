import ClusterHost
import ClusterCore
import Testing
@testable import Fencing

/// `action=metadata` of real agents from Debian's fence-agents, parsed.
@Suite(.timeLimit(.minutes(2)))
struct MetadataTests {
    let runner = FenceAgentRunner(agentDirectory: "/usr/sbin")

    @Test func fenceIpmilan() async throws {
        let metadata = try await runner.metadata(agent: "fence_ipmilan")
        #expect(metadata.agent == "fence_ipmilan")
        #expect(metadata.supports(.off) && metadata.supports(.reboot) && metadata.supports(.status) && metadata.supports(.monitor))
        #expect(!metadata.supports(.list), "ipmilan's metadata omits list")
        #expect(metadata.parameter(named: "ip")?.obsoletes == "ipaddr")
        #expect(metadata.parameter(named: "ipaddr")?.deprecated == true)
        #expect(metadata.parameter(named: "lanplus")?.type == .boolean)
        #expect(metadata.parameter(named: "ipport")?.defaultValue == "623")
        #expect(metadata.aliases(of: "password") == ["password", "passwd"])
        #expect(metadata.hostArgument == "port")
        #expect(metadata.parameter(named: "action")?.required == true)
    }

    @Test func fenceKdump() async throws {
        let metadata = try await runner.metadata(agent: "fence_kdump")
        #expect(Set(metadata.actions.map(\.name)) == ["off", "monitor", "metadata", "validate-all"])
        #expect(!metadata.supports(.reboot) && !metadata.supports(.status))
        #expect(metadata.parameter(named: "nodename") != nil)
        #expect(metadata.parameter(named: "ipport")?.defaultValue == "7410")
        #expect(!metadata.acceptsHost)
    }

    @Test func fenceSbd() async throws {
        let metadata = try await runner.metadata(agent: "fence_sbd")
        #expect(metadata.parameter(named: "devices")?.required == true)
        #expect(metadata.parameter(named: "plug")?.obsoletes == "port")
        #expect(metadata.hostArgument == "port")
    }

    @Test func fenceDummy() async throws {
        let metadata = try await runner.metadata(agent: "fence_dummy")
        #expect(metadata.parameter(named: "status_file") != nil)
        #expect(metadata.parameter(named: "type") != nil)
        #expect(metadata.supports(.reboot))
    }

    @Test func unfencingAttributesAreRead() throws {
        let xml = """
            <?xml version="1.0" ?>
            <resource-agent name="fence_scsi" shortdesc="SCSI &amp; friends">
            <!-- a comment with <tags> -->
            <parameters>
              <parameter name="key" unique="0" required="1"><content type="string"/></parameter>
              <parameter name="aptpl" unique="0" required="0"/>
            </parameters>
            <actions><action name="on" on_target="1" automatic="1"/><action name="off"/></actions>
            </resource-agent>
            """
        let metadata = try AgentMetadataParser().parse(xml)
        #expect(metadata.shortDescription == "SCSI & friends")
        #expect(metadata.actions.first == AgentMetadata.Action(name: "on", automatic: true, onTarget: true))
        #expect(metadata.parameters.map(\.name) == ["key", "aptpl"])
    }

    @Test func documentsThatAreNotMetadataAreRejected() {
        #expect(throws: AgentMetadataParser.ParseError.noResourceAgentElement) {
            _ = try AgentMetadataParser().parse("Status: ON\n")
        }
        #expect(throws: AgentMetadataParser.ParseError.noActions) {
            _ = try AgentMetadataParser().parse("<resource-agent name=\"x\"><parameters/></resource-agent>")
        }
        #expect(throws: AgentMetadataParser.ParseError.unterminatedTag(offset: 0)) {
            _ = try AgentMetadataParser().parse("<resource-agent name=\"x")
        }
    }

    @Test func metadataIsFetchedOncePerAgent() async throws {
        let agents = try ScriptedAgents("metacache")
        defer { agents.remove() }
        try agents.add("fence_counted", body: "exit 0")
        let cache = AgentMetadataCache(runner: FenceAgentRunner(agentDirectory: agents.agentDir))
        for _ in 0..<3 { _ = try await cache.metadata(for: "fence_counted") }
        #expect(agents.calls("fence_counted") == ["metadata"])
    }
}

/// `config check` of fence devices against their agents' metadata.
@Suite(.timeLimit(.minutes(2)))
struct FenceDeviceValidatorTests {
    let cache = AgentMetadataCache(runner: FenceAgentRunner(agentDirectory: "/usr/sbin"))
    let validator = FenceDeviceValidator()

    @Test func aCompleteIpmilanDeviceHasNoProblems() async throws {
        let device = FenceDeviceConfig(
            name: "ipmi-n1", agent: "fence_ipmilan", nodes: ["n1"],
            options: ["ip": "10.0.0.101", "username": "admin", "lanplus": "1", "power-timeout": "10"],
            passwordFile: "/etc/hacluster/ipmi.pass")
        #expect(validator.problems(of: device, metadata: try await cache.metadata(for: "fence_ipmilan")).isEmpty)
    }

    @Test func undeclaredOptionsAndTheActionAreRejected() async throws {
        let device = FenceDeviceConfig(name: "ipmi-n1", agent: "fence_ipmilan", nodes: ["n1"],
                                       options: ["ipadress": "10.0.0.1", "action": "off", "ip": "10.0.0.1"])
        let problems = validator.problems(of: device, metadata: try await cache.metadata(for: "fence_ipmilan"))
        #expect(problems == [
            .reservedOption(device: "ipmi-n1", option: "action", use: "[fencing] action"),
            .unknownOption(device: "ipmi-n1", agent: "fence_ipmilan", option: "ipadress"),
        ])
        #expect(problems[1].description.contains("'ipadress'") && problems[1].description.contains("ipmi-n1"))
    }

    @Test func missingRequiredOptionsAreReported() async throws {
        let device = FenceDeviceConfig(name: "sbd", agent: "fence_sbd", nodes: ["n1", "n2"])
        let problems = validator.problems(of: device, metadata: try await cache.metadata(for: "fence_sbd"))
        // port/plug come from `nodes`; `devices` must be given.
        #expect(problems == [.missingRequired(device: "sbd", agent: "fence_sbd", option: "devices")])
    }

    @Test func aPasswordFileForAnAgentWithoutPasswordIsRejected() async throws {
        let device = FenceDeviceConfig(name: "kdump", agent: "fence_kdump", nodes: ["n1"],
                                       options: ["timeout": "60"], passwordFile: "/etc/hacluster/x.pass")
        let problems = validator.problems(of: device, metadata: try await cache.metadata(for: "fence_kdump"))
        #expect(problems == [.unknownOption(device: "kdump", agent: "fence_kdump", option: "password (from password_file)")])
    }

    @Test func multiLineValuesAreRejected() async throws {
        let device = FenceDeviceConfig(name: "d", agent: "fence_dummy", nodes: ["n1"],
                                       options: ["status_file": "/tmp/x\naction=reboot"])
        let problems = validator.problems(of: device, metadata: try await cache.metadata(for: "fence_dummy"))
        #expect(problems.contains(.invalidValue(device: "d", option: "status_file",
                                                reason: "must be one line (agents read key=value lines)")))
    }

    @Test func unusableAgentsAreReportedPerDevice() async {
        let fencing = FencingConfig(devices: [
            FenceDeviceConfig(name: "ghost", agent: "fence_ghost", nodes: ["n1"]),
            FenceDeviceConfig(name: "dummy", agent: "fence_dummy", nodes: ["n1"], options: ["typo": "1"]),
        ])
        let problems = await validator.problems(of: fencing, cache: cache)
        #expect(problems == [
            .agentUnusable(device: "ghost", error: .agentNotFound(agent: "fence_ghost", directory: "/usr/sbin")),
            .unknownOption(device: "dummy", agent: "fence_dummy", option: "typo"),
        ])
    }
}
