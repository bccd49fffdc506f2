import ClusterCore
import Testing

/// `systemctl show` output as config check reads it.
struct SystemctlShowTests {
    @Test func timespansAsSystemdPrintsThem() {
        #expect(SystemctlShow.timespan("1min 30s") == .seconds(90))
        #expect(SystemctlShow.timespan("5.500s") == .milliseconds(5500))
        #expect(SystemctlShow.timespan("100ms") == .milliseconds(100))
        #expect(SystemctlShow.timespan("1h 2min 3s") == .seconds(3723))
        #expect(SystemctlShow.timespan("2d") == .seconds(172_800))
        #expect(SystemctlShow.timespan("infinity") == nil)
        #expect(SystemctlShow.timespan("") == nil)
        #expect(SystemctlShow.timespan("soon") == nil)
        #expect(SystemctlShow.timespan("5 parsecs") == nil)
    }

    @Test func settingsFromShowOutput() {
        let output = "TimeoutStartUSec=1min 30s\nTimeoutStopUSec=infinity\nUnitFileState=enabled\nLoadState=loaded\n"
        let settings = SystemctlShow.settings(unit: "dss.service", output: output)
        #expect(settings == UnitSettings(unit: "dss.service", timeoutStart: .seconds(90), timeoutStop: nil, unitFileState: "enabled"))
        #expect(settings?.isEnabledAtBoot == true)
        // A unit with no file: known, no boot state.
        let transient = SystemctlShow.settings(unit: "t.service", output: "TimeoutStartUSec=5s\nTimeoutStopUSec=5s\nUnitFileState=\nLoadState=loaded\n")
        #expect(transient?.unitFileState == "")
        #expect(transient?.isEnabledAtBoot == false)
        #expect(SystemctlShow.settings(unit: "x.service", output: "TimeoutStartUSec=5s\nUnitFileState=\nLoadState=not-found\n") == nil)
        #expect(SystemctlShow.settings(unit: "x.service", output: "garbage") == nil)
    }
}
