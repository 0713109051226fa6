import Dispatch
import StreamCore
import Synchronization

/// `memestream bench metrics`: the cost of metric updates and log calls on the hot path.
///
/// Prints nanoseconds per operation for counter increments, gauge stores, histogram
/// observations, registry lookups, disabled log calls and formatted logfmt lines. For
/// comparison it also measures a counter built on a `Mutex` instead of an atomic, the rejected
/// design. Both counters are also measured with two threads incrementing the same counter.
enum MetricsBenchmark: Benchmark {
    static let name = "metrics"
    static let summary = "Cost per metric update, registry lookup and log call."
    static var options: [OptionSpec] {
        [.value("iterations", valueName: "COUNT", help: "Operations per measurement. Default: 10000000.")]
    }

    /// The alternative counter design: a plain integer behind a lock.
    private final class LockedCounter: Sendable {
        private let value = Mutex<UInt64>(0)

        func increment() {
            value.withLock { $0 &+= 1 }
        }
    }

    static func run(_ arguments: ParsedArguments) async throws {
        let iterations = Int(
            try OptionValues.integer(
                arguments.value("iterations") ?? "10000000",
                option: "iterations",
                range: 1_000...1_000_000_000
            )
        )
        let registry = MetricsRegistry(registering: MetricDescriptor.all)
        let counter = registry.counter(.eventsConsumed, labels: [("partition", "0")])
        let gauge = registry.gauge(.consumerLag, labels: [("partition", "0")])
        let histogram = registry.histogram(.tickProcessingLatency)
        let locked = LockedCounter()

        report("counter_increment", iterations) { counter.increment() }
        report("locked_counter_increment", iterations) { locked.increment() }
        reportContended("counter_increment_2_threads", iterations) { counter.increment() }
        reportContended("locked_counter_increment_2_threads", iterations) { locked.increment() }
        report("gauge_set", iterations) { gauge.set(Int64(42)) }
        report("histogram_record", iterations) { histogram.record(0.004) }
        report("registry_lookup", iterations / 10) {
            _ = registry.counter(.eventsRejected, labels: [("reason", "late")])
        }

        let sink = DiscardingLogHandler()
        let logger = Logger(label: "bench", level: .info, handler: sink)
        report("log_disabled_level", iterations) {
            logger.debug("record accepted", metadata: [LogKey.kafkaOffset: .integer(7)])
        }
        let formatter = LogLineFormatter(format: .logfmt)
        let entry = LogEntry(
            timestampMilliseconds: 1_700_000_000_000,
            level: .info,
            label: "bench",
            message: "record rejected",
            metadata: [LogKey.kafkaPartition: 3, LogKey.kafkaOffset: 1_042, LogKey.rejectionReason: "malformed_json"]
        )
        report("logfmt_line", iterations / 100) { _ = formatter.line(for: entry) }
    }

    /// Runs `operation` `count` times on this thread and prints ns per call.
    private static func report(_ name: String, _ count: Int, _ operation: () -> Void) {
        let start = MonotonicClock.nanoseconds()
        for _ in 0..<count {
            operation()
        }
        let elapsed = MonotonicClock.nanoseconds() - start
        print("\(name): \(formatted(Double(elapsed) / Double(count))) ns/op")
    }

    /// Runs `operation` `count` times split over two threads and prints wall ns per call.
    private static func reportContended(_ name: String, _ count: Int, _ operation: @escaping @Sendable () -> Void) {
        let half = count / 2
        let start = MonotonicClock.nanoseconds()
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            for _ in 0..<half {
                operation()
            }
        }
        let elapsed = MonotonicClock.nanoseconds() - start
        print("\(name): \(formatted(Double(elapsed) / Double(half * 2))) ns/op")
    }

    private static func formatted(_ value: Double) -> String {
        let hundredths = (value * 100).rounded()
        return String(hundredths / 100)
    }
}
