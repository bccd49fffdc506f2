import CoreTestSupport
import Testing

@testable import ClusterCore

@Suite("[metrics]: the opt-in Prometheus endpoint")
struct ConfigMetricsTests {
    @Test("no listener by default; listen takes an address and a port; a bad one names the key and line")
    func listen() throws {
        #expect(try ConfigLoader.parse(toml: ConfigFixtures.base, path: nil).metrics == nil)
        let config = try ConfigLoader.parse(toml: ConfigFixtures.base + "\n[metrics]\nlisten = \"[::1]:9664\"\n", path: nil)
        #expect(config.metrics == MetricsConfig(host: "::1", port: 9664))
        let text = ConfigFixtures.base + "\n[metrics]\nlisten = \"localhost:9664\"\n"
        do {
            _ = try ConfigLoader.parse(toml: text, path: "/etc/hacluster/haclusterd.toml")
            Issue.record("a host name was accepted")
        } catch {
            #expect(error.description.contains("metrics.listen"), "\(error)")
            #expect(error.description.contains("\"127.0.0.1:9664\""), "\(error)")
            #expect(error.description.contains(":\(ConfigFixtures.line(of: "localhost:9664", in: text)!):"), "\(error)")
        }
        #expect(throws: ConfigError.self) {
            try ConfigLoader.parse(toml: ConfigFixtures.base + "\n[metrics]\nport = 9664\n", path: nil)
        }
    }
}
