import Foundation
import Glibc

/// OpenIPMI's `ipmi_sim` as the BMC of a simulated host, on 127.0.0.1 at a free UDP
/// port, configured from `Fixtures/ipmi`. Its `chassis_control` program (chassis.sh)
/// starts a process standing for the host on power on and stops it on power off.
/// `stop()` kills only the simulator's PID and the host's PID.
final class IPMISimulator: @unchecked Sendable {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/ipmi").path

    let directory: TestDirectory
    let port: UInt16
    let password: String
    private var process: TestProcess?

    init(password: String) throws {
        directory = try TestDirectory("ipmi")
        self.password = password
        port = Self.freeUDPPort()
    }

    func start() async throws {
        let template = try String(contentsOfFile: Self.fixtures + "/lan.conf.in", encoding: .utf8)
        let conf = template
            .replacingOccurrences(of: "@PORT@", with: "\(port)")
            .replacingOccurrences(of: "@CHASSIS@", with: Self.fixtures + "/chassis.sh")
            .replacingOccurrences(of: "@STATE@", with: directory.path)
            .replacingOccurrences(of: "@PASSWORD@", with: password)
        try directory.write("lan.conf", conf)
        let process = try TestProcess("/usr/bin/ipmi_sim",
                                      ["-n", "-c", directory.file("lan.conf"), "-f", Self.fixtures + "/bmc.emu",
                                       "-s", directory.path],
                                      outputFile: directory.file("sim.log"))
        self.process = process
        let bound = await eventually(within: .seconds(5)) { Self.udpPortBound(self.port) }
        guard bound, process.isRunning else {
            stop()
            throw POSIXError(.ECONNREFUSED)
        }
    }

    /// Kills the simulator (by PID), leaving the host as it is.
    func stopBMC() {
        process?.kill()
    }

    func stop() {
        stopBMC()
        if let host = hostPID { kill(host, SIGKILL) }
        directory.remove()
    }

    /// PID of the process standing for the host while its power is on.
    var hostPID: Int32? {
        guard let text = directory.read("host.pid") else { return nil }
        guard let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        return ProcessProbe.isAlive(pid) ? pid : nil
    }

    var powerLog: [String] {
        (directory.read("power.log") ?? "").split(separator: "\n").map { String($0.prefix { $0 != " " }) }
    }

    private static func udpPortBound(_ port: UInt16) -> Bool {
        let hex = String(format: ":%04X ", port)
        return (try? String(contentsOfFile: "/proc/net/udp", encoding: .utf8))?.contains(hex) ?? false
    }

    private static func freeUDPPort() -> UInt16 {
        for _ in 0..<100 {
            let port = UInt16.random(in: 20000...40000)
            if !udpPortBound(port) { return port }
        }
        return UInt16.random(in: 20000...40000)
    }
}
