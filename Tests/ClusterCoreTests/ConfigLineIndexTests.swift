import Testing
@testable import ClusterCore

/// The line of each key path, as the parser records it for the configuration's messages.
@Suite struct ConfigLineIndexTests {
    @Test func findsKeysSectionsAndArrayEntries() throws {
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
        let index = try TOMLParser.parse(text)
        #expect(index.line(for: "top") == 2)
        #expect(index.line(for: "cluster") == 3)
        #expect(index.line(for: "cluster.name") == 4)
        #expect(index.line(for: "cluster.port") == 5)
        #expect(index.line(for: "cluster.missing") == 3)
        #expect(index.line(for: "node") == 6)
        #expect(index.line(for: "node[0]") == 6)
        #expect(index.line(for: "node[0].addresses") == 8)
        #expect(index.line(for: "node[0].addresses[0]") == 9)
        #expect(index.line(for: "node[0].addresses[1]") == 10)
        #expect(index.line(for: "node[0].addresses[2]") == 8)
        #expect(index.line(for: "node[0].priority") == 12)
        #expect(index.line(for: "node[1]") == 13)
        #expect(index.line(for: "node[1].name") == 14)
        #expect(index.line(for: "node[1].role") == 19)
        #expect(index.line(for: "fake") == nil)
        #expect(index.line(for: "node[1].fake") == 13)
        #expect(index.line(for: "fencing.device[0].options.ip") == 23)
        #expect(index.line(for: "fencing.device[0].options.missing") == 23)
        #expect(index.line(for: "fencing.device[1]") == 24)
        #expect(index.line(for: "fencing.device[1].a.b") == 25)
        #expect(index.line(for: "fencing.device[1].a") == 25)
        #expect(index.line(for: "fencing.device[2]") == 21)
        #expect(index.line(for: "storage.path") == nil)
    }

    /// Keys written in other forms: quoted with a dot, dotted, in inline tables, in arrays of
    /// inline tables, and tables first named by a deeper header then opened.
    @Test func otherKeyForms() throws {
        let text = """
            "a.b" = 1
            c . d = 2
            e = [
              { f = 1 },
              { g.h = [1,
                 2] },
            ]
            [x.y]
            z = 1
            [x]
            w = 2
            """
        let index = try TOMLParser.parse(text)
        #expect(index.line(for: "a.b") == 1)
        #expect(index.line(for: "c.d") == 2)
        #expect(index.line(for: "c") == 2)
        #expect(index.line(for: "e[0].f") == 4)
        #expect(index.line(for: "e[1].g.h[1]") == 6)
        #expect(index.line(for: "x") == 10)
        #expect(index.line(for: "x.y.z") == 9)
        #expect(index.line(for: "x.w") == 11)
        #expect(index.line(for: "x.missing") == 10)
    }
}
