import Testing
@testable import ClusterCore

@Suite struct ConfigLineIndexTests {
    @Test func findsKeysSectionsAndArrayEntries() {
        let text = """
            # comment = 1
            top = 1
            [cluster]
              name = "x" # trailing = comment
            "port" = 5
            [[node]]
            name = "a"
            addresses = [
              "1.2.3.4",  # ] not the end
              "5.6.7.8",
            ]
            priority = 1
            [[node]] # second
            name = 'b'
            notes = \"\"\"
            fake = 1
            [fake]
            \"\"\"
            role = "witness"
            [fencing]
            [[fencing.device]]
            name = "d"
            options = { ip = "1" }
            [[fencing.device]]
            a.b = 2
            """
        let index = TOMLLineIndex(source: text)
        #expect(index.line(for: "top") == 2)
        #expect(index.line(for: "cluster") == 3)
        #expect(index.line(for: "cluster.name") == 4)
        #expect(index.line(for: "cluster.port") == 5)
        #expect(index.line(for: "cluster.missing") == 3)
        #expect(index.line(for: "node") == 6)
        #expect(index.line(for: "node[0]") == 6)
        #expect(index.line(for: "node[0].addresses[1]") == 8)
        #expect(index.line(for: "node[0].priority") == 12)
        #expect(index.line(for: "node[1]") == 13)
        #expect(index.line(for: "node[1].name") == 14)
        #expect(index.line(for: "node[1].role") == 19)
        #expect(index.line(for: "fake") == nil)
        #expect(index.line(for: "node[1].fake") == 13)
        #expect(index.line(for: "fencing.device[0].options.ip") == 23)
        #expect(index.line(for: "fencing.device[1]") == 24)
        #expect(index.line(for: "fencing.device[1].a.b") == 25)
        #expect(index.line(for: "storage.path") == nil)
    }
}
