import Testing

@testable import StreamCore

@Suite struct StreamCoreSmokeTests {
    @Test func moduleLoads() {
        #expect(Bool(true))
    }
}
