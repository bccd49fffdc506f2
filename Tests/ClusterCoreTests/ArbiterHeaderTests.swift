import Testing
@testable import ClusterCore

/// Block 0: identical on every node of one configuration, refused when it is another
/// cluster's, another release's or another node list's.
@Suite struct ArbiterHeaderTests {
    let codec = ArbiterFixture.codec()

    @Test func everyNodeEncodesTheSameHeaderAndAcceptsIt() throws {
        let header = try codec.encodeHeader()
        #expect(header.count == ArbiterLayout.blockSize)
        #expect(header.starts(with: Array("HACLARB1".utf8)))
        let otherOrder = ArbiterFixture.codec(layout: ArbiterLayout(nodes: ["dss3", "dss1", "dss2"]))
        #expect(try otherOrder.encodeHeader() == header)
        let decoded = try codec.checkHeader(header)
        #expect(decoded.clusterName == "dss_cluster")
        #expect(decoded.nodes == ["dss1", "dss2", "dss3"])
        #expect(decoded.layoutVersion == 1)
    }

    @Test func anotherClustersHeaderIsRefusedByName() throws {
        let theirs = try ArbiterFixture.codec(key: [9, 9, 9], cluster: "payroll").encodeHeader()
        #expect(throws: ArbiterHeaderError.otherCluster(name: "payroll", expected: "dss_cluster")) { try codec.checkHeader(theirs) }
        #expect(ArbiterHeaderError.otherCluster(name: "payroll", expected: "dss_cluster").description.contains("header belongs to cluster 'payroll'"))
    }

    @Test func sameNameAnotherKeyIsRefused() throws {
        let theirs = try ArbiterFixture.codec(key: [9, 9, 9]).encodeHeader()
        #expect(throws: ArbiterHeaderError.authenticationFailed) { try codec.checkHeader(theirs) }
    }

    @Test func anotherNodeListIsRefused() throws {
        let theirs = try ArbiterFixture.codec(layout: ArbiterLayout(nodes: ["dss1", "dss2"])).encodeHeader()
        #expect(throws: ArbiterHeaderError.otherNodes(file: ["dss1", "dss2"], configured: ["dss1", "dss2", "dss3"])) {
            try codec.checkHeader(theirs)
        }
    }

    @Test func anotherVersionZerosGarbageAndTruncationAreRefused() throws {
        var header = try codec.encodeHeader()
        header[9] = 2
        #expect(throws: ArbiterHeaderError.unsupportedVersion(found: 2, supported: 1)) { try codec.checkHeader(header) }
        #expect(throws: ArbiterHeaderError.notInitialised) { try codec.checkHeader([UInt8](repeating: 0, count: 4096)) }
        #expect(throws: ArbiterHeaderError.notAnArbiterFile) { try codec.checkHeader([UInt8](repeating: 0x41, count: 4096)) }
        let valid = try codec.encodeHeader()
        for length in 0..<valid.count {
            #expect(throws: ArbiterHeaderError.truncated(length: length)) { try codec.checkHeader(Array(valid.prefix(length))) }
        }
        for position in 0..<120 {
            var damaged = valid
            damaged[position] ^= 0x10
            #expect(throws: ArbiterHeaderError.self) { try codec.checkHeader(damaged) }
        }
    }
}
