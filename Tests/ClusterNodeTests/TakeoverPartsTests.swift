@testable import ClusterHost
@testable import ClusterNode
import CoreTestSupport
import Testing
@testable import ClusterCore

@Suite struct TakeoverPartsTests {
    // MARK: HealthCounter

    @Test func riseMakesHealthyAndStartupFailuresDoNotCount() {
        var counter = HealthCounter(rise: 2, fall: 3)
        #expect(counter.record(healthy: false) == nil)
        #expect(counter.record(healthy: false) == nil)
        #expect(counter.record(healthy: false) == nil)
        #expect(counter.state == .starting)
        #expect(counter.record(healthy: true) == nil)
        #expect(counter.record(healthy: true) == .healthy)
        #expect(counter.record(healthy: true) == nil)
    }

    @Test func fallConsecutiveFailuresMakeUnhealthyOnce() {
        var counter = HealthCounter(rise: 1, fall: 3)
        #expect(counter.record(healthy: true) == .healthy)
        #expect(counter.record(healthy: false) == nil)
        #expect(counter.record(healthy: false) == nil)
        #expect(counter.record(healthy: true) == nil)  // streak broken
        #expect(counter.record(healthy: false) == nil)
        #expect(counter.record(healthy: false) == nil)
        #expect(counter.record(healthy: false) == .unhealthy)
        #expect(counter.record(healthy: false) == nil)
        #expect(counter.record(healthy: true) == .healthy)
        counter.reset()
        #expect(counter.state == .starting)
    }

    // MARK: HealthURL

    @Test func parsesHealthURLs() throws {
        #expect(try HealthURL(parsing: "http://127.0.0.1:11200/dip/api/ping") == HealthURL(host: "127.0.0.1", port: 11200, target: "/dip/api/ping"))
        #expect(try HealthURL(parsing: "http://localhost") == HealthURL(host: "localhost", port: 80, target: "/"))
        #expect(try HealthURL(parsing: "http://[::1]:8080/x?y=1") == HealthURL(host: "::1", port: 8080, target: "/x?y=1"))
        #expect(try HealthURL(parsing: "http://[::1]:8080/x").description == "http://[::1]:8080/x")
        #expect(try HealthURL(parsing: "https://dss.example/ping") == HealthURL(scheme: .https, host: "dss.example", port: 443, target: "/ping"))
        #expect(try HealthURL(parsing: "https://dss.example/ping").hostHeader == "dss.example")
        #expect(try HealthURL(parsing: "http://h:8080/x#frag").target == "/x")
    }

    @Test(arguments: ["http://", "http://h /", "http://h:0/", "http://h:99999/", "http://u:p@h/", "ftp://h", "http://[::1/"])
    func rejectsUnsupportedHealthURLs(url: String) {
        #expect(throws: HealthURL.ParseError.self) { try HealthURL(parsing: url) }
    }

    // MARK: InterfaceAddress

    static let ipOutput = """
        1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
        1: lo    inet6 ::1/128 scope host noprefixroute \\       valid_lft forever preferred_lft forever
        2: eth0    inet 10.0.0.5/16 brd 10.0.255.255 scope global eth0\\       valid_lft forever preferred_lft forever
        7: tkA0@if6    inet 198.18.77.1/24 scope global tkA0\\       valid_lft forever preferred_lft forever
        7: tkA0@if6    inet 198.18.77.50/24 scope global secondary tkA0\\       valid_lft forever preferred_lft forever
        7: tkA0@if6    inet6 2001:db8::50/64 scope global tentative \\       valid_lft forever preferred_lft forever
        """

    @Test func parsesIpAddrOutput() {
        let parsed = InterfaceAddress.parse(ipOutput: Self.ipOutput)
        #expect(parsed.count == 6)
        #expect(parsed[3] == InterfaceAddress(interface: "tkA0", address: "198.18.77.1", prefixLength: 24, isIPv6: false))
        #expect(parsed[4].flags == ["secondary"])
        #expect(parsed[5].isIPv6 && parsed[5].flags == ["tentative"])
    }

    @Test func subnetMatching() {
        #expect(InterfaceAddress.sameSubnet("198.18.77.1", "198.18.77.50", prefixLength: 24))
        #expect(!InterfaceAddress.sameSubnet("198.18.78.1", "198.18.77.50", prefixLength: 24))
        #expect(InterfaceAddress.sameSubnet("198.18.78.1", "198.18.77.50", prefixLength: 15))
        #expect(InterfaceAddress.sameSubnet("198.18.77.1", "198.18.77.0", prefixLength: 25))
        #expect(!InterfaceAddress.sameSubnet("198.18.77.200", "198.18.77.1", prefixLength: 25))
        #expect(InterfaceAddress.sameSubnet("2001:db8::1", "2001:db8::50", prefixLength: 64))
        #expect(!InterfaceAddress.sameSubnet("2001:db8::1", "198.18.77.1", prefixLength: 24))
        #expect(!InterfaceAddress.sameSubnet("not-an-ip", "198.18.77.1", prefixLength: 24))
    }

    @Test func picksTheInterfaceOnTheSubnetNotTheFloatingAddressItself() throws {
        let parsed = InterfaceAddress.parse(ipOutput: Self.ipOutput)
        #expect(try FloatingAddress.interface(for: FloatingIPConfig(address: "198.18.77.60", prefixLength: 24), among: parsed) == "tkA0")
        #expect(try FloatingAddress.interface(for: FloatingIPConfig(address: "10.0.9.9", prefixLength: 16), among: parsed) == "eth0")
        #expect(throws: AddressError.noInterfaceOnSubnet(address: "198.19.0.1/24")) {
            try FloatingAddress.interface(for: FloatingIPConfig(address: "198.19.0.1", prefixLength: 24), among: parsed)
        }
    }
}
