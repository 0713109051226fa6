import Testing

@testable import Aggregators

@Suite struct AggregatorsSmokeTests {
    @Test func moduleLoads() {
        #expect(Bool(true))
    }
}
