import Testing
@testable import Fencing

@Suite struct FencingPlaceholderTests {
    @Test func builds() { #expect(Bool(true)) }
}
