import Testing

@testable import KafkaBridge

@Suite struct KafkaBridgeSmokeTests {
    @Test func moduleLoads() {
        #expect(Bool(true))
    }
}
