import StreamCore
import Testing

@Suite struct MetricsTests {
    private static let requests = MetricDescriptor(
        name: "test_requests_total",
        help: "Requests.",
        kind: .counter,
        labelNames: ["path", "code"]
    )
    private static let latency = MetricDescriptor(
        name: "test_latency_seconds",
        help: "Latency.",
        kind: .histogram,
        buckets: [0.1, 1]
    )

    @Test func counterAddsAndIgnoresNegative() {
        let registry = MetricsRegistry()
        let counter = registry.counter(Self.requests, labels: [("path", "/"), ("code", "200")])
        counter.increment()
        counter.increment(by: 4)
        counter.increment(by: -3)
        counter.increment(by: 0)
        #expect(counter.value == 5)
    }

    @Test func sameLabelsInAnyOrderShareSeries() {
        let registry = MetricsRegistry()
        let first = registry.counter(Self.requests, labels: [("path", "/"), ("code", "200")])
        let second = registry.counter(Self.requests, labels: [("code", "200"), ("path", "/")])
        #expect(first === second)
        let other = registry.counter(Self.requests, labels: [("code", "404"), ("path", "/")])
        #expect(first !== other)
    }

    @Test func gaugeKeepsLastValueAndIgnoresNaN() {
        let registry = MetricsRegistry()
        let gauge = registry.gauge(.consumerLag, labels: [("partition", "0")])
        #expect(gauge.value == 0)
        gauge.set(Int64(12))
        gauge.set(-2.5)
        gauge.set(.nan)
        #expect(gauge.value == -2.5)
    }

    @Test(arguments: [
        (0.05, [UInt64(1), 0, 0]),
        (0.1, [1, 0, 0]),
        (0.5, [0, 1, 0]),
        (1.0, [0, 1, 0]),
        (7.0, [0, 0, 1]),
    ])
    func histogramBucketsAreInclusiveUpperBounds(value: Double, expected: [UInt64]) {
        let histogram = MetricsRegistry().histogram(Self.latency)
        histogram.record(value)
        let snapshot = histogram.snapshot()
        #expect(snapshot.counts == expected)
        #expect(snapshot.count == 1)
        #expect(snapshot.sum == value)
    }

    @Test func histogramConvertsDurationsToSeconds() {
        let histogram = MetricsRegistry().histogram(Self.latency)
        histogram.recordNanoseconds(250_000_000)
        histogram.record(Duration.milliseconds(2_000))
        histogram.record(.nan)
        let snapshot = histogram.snapshot()
        #expect(snapshot.count == 2)
        #expect(snapshot.sum == 2.25)
        #expect(snapshot.cumulativeCounts == [0, 1, 2])
    }

    @Test func expectCounterFindsExistingSeries() throws {
        let registry = MetricsRegistry(registering: MetricDescriptor.all)
        registry.counter(.eventsRejected, labels: [("reason", "late")]).increment(by: 2)

        #expect(try registry.expectCounter("memestream_events_rejected_total", labels: [("reason", "late")]).value == 2)
        #expect(try registry.expectCounter("memestream_records_emitted_total").value == 0)
    }

    @Test func expectCounterNamesMissingSeries() {
        let registry = MetricsRegistry(registering: MetricDescriptor.all)
        #expect(throws: MissingMetricError.self) {
            try registry.expectCounter("memestream_events_rejected_total", labels: [("reason", "late")])
        }
        #expect(throws: MissingMetricError.self) {
            try registry.expectCounter("memestream_unknown_total")
        }
        #expect(throws: MissingMetricError.self) {
            try registry.expectCounter("memestream_keys_in_state", labels: [("partition", "0")])
        }
        do {
            _ = try registry.expectCounter("memestream_events_rejected_total", labels: [("reason", "late")])
        } catch {
            #expect("\(error)".contains(#"memestream_events_rejected_total{reason="late"}"#))
        }
    }

    @Test func removedSeriesIsNoLongerExported() {
        let registry = MetricsRegistry()
        registry.gauge(.keysInState, labels: [("partition", "4")]).set(Int64(9))
        #expect(registry.prometheusText().contains(#"memestream_keys_in_state{partition="4"} 9"#))
        registry.removeSeries(.keysInState, labels: [("partition", "4")])
        #expect(!registry.prometheusText().contains(#"partition="4""#))
    }

    @Test func concurrentIncrementsAreNotLost() async {
        let registry = MetricsRegistry()
        let counter = registry.counter(.recordsEmitted)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<10_000 { counter.increment() }
                }
            }
        }
        #expect(counter.value == 80_000)
    }

    @Test func memestreamFamiliesHavePrefixAndUniqueNames() {
        let names = MetricDescriptor.all.map(\.name)
        #expect(Set(names).count == names.count)
        for name in names {
            #expect(name.hasPrefix("memestream_"))
        }
    }
}
