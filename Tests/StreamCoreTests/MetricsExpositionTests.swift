import StreamCore
import Testing

@Suite struct MetricsExpositionTests {
    @Test func counterAndGaugeFamiliesPrintHelpTypeAndSamples() {
        let registry = MetricsRegistry()
        registry.counter(.eventsRejected, labels: [("reason", "malformed_json")]).increment(by: 3)
        registry.counter(.eventsRejected, labels: [("reason", "late")]).increment()
        registry.gauge(.watermarkLag, labels: [("partition", "1")]).set(2.5)

        let expected = """
            # HELP memestream_events_rejected_total Input records rejected and sent to the dead-letter topic, per reason code.
            # TYPE memestream_events_rejected_total counter
            memestream_events_rejected_total{reason="late"} 1
            memestream_events_rejected_total{reason="malformed_json"} 3
            # HELP memestream_watermark_lag_seconds Wall-clock time minus the watermark of the input partition, in seconds.
            # TYPE memestream_watermark_lag_seconds gauge
            memestream_watermark_lag_seconds{partition="1"} 2.5

            """
        #expect(registry.prometheusText() == expected)
    }

    @Test func histogramPrintsCumulativeBucketsSumAndCount() {
        let descriptor = MetricDescriptor(name: "t_seconds", help: "T.", kind: .histogram, buckets: [0.5, 1])
        let registry = MetricsRegistry()
        let histogram = registry.histogram(descriptor)
        histogram.record(0.25)
        histogram.record(0.75)
        histogram.record(3)

        let expected = """
            # HELP t_seconds T.
            # TYPE t_seconds histogram
            t_seconds_bucket{le="0.5"} 1
            t_seconds_bucket{le="1"} 2
            t_seconds_bucket{le="+Inf"} 3
            t_seconds_sum 4
            t_seconds_count 3

            """
        #expect(registry.prometheusText() == expected)
    }

    @Test func labelValuesAndHelpAreEscaped() {
        let descriptor = MetricDescriptor(name: "t_total", help: "a\\b\nc", kind: .counter, labelNames: ["v"])
        let registry = MetricsRegistry()
        registry.counter(descriptor, labels: [("v", "q\"b\\s\nn")]).increment()
        let text = registry.prometheusText()
        #expect(text.contains(#"# HELP t_total a\\b\nc"#))
        #expect(text.contains(#"t_total{v="q\"b\\s\nn"} 1"#))
    }

    @Test(arguments: [
        (0.0, "0"),
        (-3.0, "-3"),
        (0.001, "0.001"),
        (Double.infinity, "+Inf"),
        (-Double.infinity, "-Inf"),
        (1e20, "1e+20"),
    ])
    func gaugeValuesUsePrometheusSpelling(value: Double, expected: String) {
        let registry = MetricsRegistry()
        registry.gauge(.keysInState, labels: [("partition", "0")]).set(value)
        #expect(registry.prometheusText().contains(#"memestream_keys_in_state{partition="0"} "# + expected + "\n"))
    }

    @Test func registeredFamiliesWithoutLabelsPrintZero() {
        let text = MetricsRegistry(registering: MetricDescriptor.all).prometheusText()
        #expect(text.contains("memestream_records_emitted_total 0\n"))
        #expect(text.contains("memestream_tick_processing_seconds_count 0\n"))
        #expect(text.contains("# TYPE memestream_consumer_lag_records gauge\n"))
    }
}
