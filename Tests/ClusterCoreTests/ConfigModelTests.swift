import Testing
@testable import ClusterCore

@Suite struct ConfigModelTests {
    @Test func levelsAreGroupedAndOrdered() {
        let fencing = FencingConfig(devices: [
            FenceDeviceConfig(name: "pdu", agent: "fence_apc", nodes: ["a"], level: 2),
            FenceDeviceConfig(name: "ipmi", agent: "fence_ipmilan", hostMap: ["a": "1"], level: 1),
            FenceDeviceConfig(name: "other", agent: "fence_ipmilan", nodes: ["b"], level: 1),
        ])
        let levels = fencing.levels(for: "a")
        #expect(levels.map(\.level) == [1, 2])
        #expect(levels[0].devices.map(\.name) == ["ipmi"])
        #expect(fencing.devices[1].port(for: "a") == "1")
    }
}
