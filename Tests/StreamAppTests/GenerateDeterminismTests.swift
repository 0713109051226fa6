import Testing

@testable import StreamApp

@Suite struct GenerateDeterminismTests {
    @Test(arguments: GeneratorConfiguration.OutputFormat.allCases)
    func sameOptionsGiveIdenticalBytes(format: GeneratorConfiguration.OutputFormat) throws {
        var configuration = GeneratorConfiguration.testing(events: 20_000)
        configuration.outputFormat = format
        configuration.badShare = 0.05
        configuration.partitions = 4
        let first = try generatedBytes(configuration)
        let second = try generatedBytes(configuration)
        #expect(first.count > 20_000 * 50)
        #expect(first == second)
    }

    @Test func differentSeedsGiveDifferentBytes() throws {
        let first = try generatedBytes(.testing(events: 1_000, seed: 1))
        let second = try generatedBytes(.testing(events: 1_000, seed: 2))
        #expect(first != second)
    }

    @Test func eventLimitIsExact() {
        let sample = GeneratedSample(.testing(events: 12_345))
        #expect(sample.records.count == 12_345)
    }

    @Test func durationLimitBoundsEventTime() throws {
        var configuration = GeneratorConfiguration.testing(events: 1)
        configuration.limit = .duration(milliseconds: 60_000)
        configuration.badShare = 0
        let sample = GeneratedSample(configuration)
        let start = configuration.startMilliseconds
        #expect(sample.records.count > 200 * 60 / 2)
        for record in sample.records {
            #expect(record.eventMilliseconds >= start)
            #expect(record.eventMilliseconds < start + 60_000)
        }
    }

    @Test func recordsLeaveInArrivalOrder() {
        let sample = GeneratedSample(.testing(events: 20_000))
        var previous = Int64.min
        var misordered = 0
        for record in sample.records {
            if record.timestampMilliseconds < previous { misordered += 1 }
            previous = record.timestampMilliseconds
        }
        #expect(misordered == 0)
        #expect(sample.records.first?.timestampMilliseconds ?? 0 >= GeneratorConfiguration().startMilliseconds)
    }
}
