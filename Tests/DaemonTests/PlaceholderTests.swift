import Testing
@testable import ClusterCore

@Suite struct DaemonPlaceholderTests {
    @Test func builds() { #expect(Bool(true)) }
}
