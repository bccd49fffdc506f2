import CoreTestSupport
import Foundation
import Testing

@testable import ClusterCore

/// The per-peer, per-link part of `hactl status` (`links`, the "Links:" section).
@Suite("StatusReport links")
struct ControlStatusLinksTests {
    private func render(_ links: [StatusReport.Link]?) -> String {
        var report = StatusReportFixtures.spec
        report.links = links
        return StatusRenderer(now: StatusReportFixtures.now).render(report)
    }

    @Test("links travel with snake_case keys; last_heard_ms is absent for a link never heard")
    func json() throws {
        var report = StatusReportFixtures.spec
        report.links = StatusReportFixtures.twoLinksOneDown
        let data = try ControlProtocol.makeEncoder().encode(report)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? NSDictionary)
        let links = try #require(object["links"] as? [NSDictionary])
        #expect(links.count == 4)
        #expect(Set(links[1].allKeys as! [String]) == ["node", "link", "local_address", "state", "last_heard_ms"])
        #expect(links[1]["node"] as? String == "dss2")
        #expect(links[1]["link"] as? Int == 1)
        #expect(links[1]["local_address"] as? String == "198.18.2.11")
        #expect(links[1]["state"] as? String == "down")
        #expect(links[1]["last_heard_ms"] as? Int == 12_300)
        #expect(Set(links[3].allKeys as! [String]) == ["node", "link", "local_address", "state"])
        #expect(try JSONDecoder().decode(StatusReport.self, from: data) == report)
    }

    @Test("a report without links (an older daemon) decodes, with links nil")
    func absent() throws {
        let decoded = try JSONDecoder().decode(StatusReport.self, from: Data(StatusReportFixtures.specJSON.utf8))
        #expect(decoded.links == nil)
        #expect(StatusReport.LinkState.allCases.map(\.rawValue) == ["up", "down"])
    }

    @Test("two links, one down: one line per peer, down links with the time since last heard")
    func twoLinks() {
        let text = render(StatusReportFixtures.twoLinksOneDown)
        #expect(text.contains("""

            Links:
              dss2  link 0 (198.18.1.11) up, link 1 (198.18.2.11) DOWN 12s
              dss3  link 0 (198.18.1.11) up, link 1 (198.18.2.11) DOWN (never heard)

            Service dataiku:
            """))
    }

    @Test("two links, all up: the section is there")
    func twoLinksUp() {
        let links = StatusReportFixtures.twoLinksOneDown.map { link in
            var up = link
            up.state = .up
            up.lastHeardMilliseconds = 100
            return up
        }
        #expect(render(links).contains("Links:\n  dss2  link 0 (198.18.1.11) up, link 1 (198.18.2.11) up\n"))
    }

    @Test("one link, all up: no section; one link down: the section")
    func oneLink() {
        #expect(!render(StatusReportFixtures.oneLinkUp).contains("Links:"))
        #expect(!render(nil).contains("Links:"))
        var links = StatusReportFixtures.oneLinkUp
        links[0].state = .down
        links[0].lastHeardMilliseconds = 1_200
        let text = render(links)
        #expect(text.contains("Links:\n  dss2  link 0 (198.18.1.11) DOWN 1.2s\n  dss3  link 0 (198.18.1.11) up\n"))
    }

    @Test("the full fixture shows its links and stays on one screen")
    func full() {
        let text = StatusRenderer(now: StatusReportFixtures.now).render(StatusReportFixtures.full)
        #expect(text.contains("  dss1  link 0 (198.18.1.12) DOWN 5min 2s, link 1 (198.18.2.12) DOWN 5min 2s\n"))
        #expect(text.contains("  dss3  link 0 (198.18.1.12) up, link 1 (198.18.2.12) up\n"))
        #expect(text.split(separator: "\n", omittingEmptySubsequences: false).count < 30)
    }
}
