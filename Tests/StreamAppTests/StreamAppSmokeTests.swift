import Testing

@testable import StreamApp

@Suite struct StreamAppSmokeTests {
    @Test func moduleLoads() {
        #expect(Bool(true))
    }
}
