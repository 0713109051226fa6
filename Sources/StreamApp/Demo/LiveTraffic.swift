import Dispatch
import Foundation
import KafkaBridge
import Synchronization

/// The demo's traffic source: `memestream generate` output produced to the events topic on a
/// dedicated thread, paced so that each record is sent when the wall clock reaches its record
/// timestamp (its arrival time).
///
/// Records whose arrival time has already passed are sent at once. The demo starts generation
/// `--backfill` before now, so the windows hold data from the first second and records delayed
/// past the allowed lateness (10 minutes) arrive in the first minutes. After that, the rate
/// follows the generator's Poisson process around ``GeneratorConfiguration/eventsPerSecond``.
///
/// Thread-safety: all members may be used from any thread.
final class LiveTraffic: Sendable {
    private let configuration: GeneratorConfiguration
    private let bootstrapServers: String
    private let sent = Atomic<Int>(0)
    private let started = Atomic<Bool>(false)
    private let outcome = Mutex<String?>(nil)
    private let finished = DispatchSemaphore(value: 0)

    /// - Parameters:
    ///   - configuration: The generator settings; its start time and topic apply.
    ///   - bootstrapServers: The cluster to produce to, and the only host contacted.
    init(configuration: GeneratorConfiguration, bootstrapServers: String) {
        self.configuration = configuration
        self.bootstrapServers = bootstrapServers
    }

    /// The number of records handed to the producer so far.
    var recordsSent: Int { sent.load(ordering: .relaxed) }

    /// Starts producing on a new thread until `shouldStop` returns `true`, then flushes the
    /// producer (up to ``KafkaTopicOutput/flushTimeout``).
    ///
    /// - Throws: a ``KafkaBridgeError`` when the producer cannot be created.
    func start(shouldStop: @escaping @Sendable () -> Bool) throws {
        let kafka = KafkaTopicOutput.configuration(bootstrapServers: bootstrapServers, properties: [:])
        let output = try KafkaTopicOutput(configuration: kafka, topic: configuration.topic)
        nonisolated(unsafe) var sink = output
        let thread = Thread { [self] in
            var failure: String?
            do {
                try produce(into: &sink, shouldStop: shouldStop)
            } catch {
                failure = errorText(error)
            }
            do {
                try sink.finish()
            } catch {
                failure = failure ?? errorText(error)
            }
            outcome.withLock { $0 = failure }
            finished.signal()
        }
        thread.name = "memestream-demo-traffic"
        started.store(true, ordering: .relaxed)
        thread.start()
    }

    private func produce(into sink: inout KafkaTopicOutput, shouldStop: @Sendable () -> Bool) throws {
        var generator = TrafficGenerator(configuration: configuration)
        var record = GeneratedRecord()
        while !shouldStop(), generator.next(into: &record) {
            // Sleep in slices of at most 100 ms, so a stop request is noticed quickly.
            while !shouldStop() {
                let wait = record.timestampMilliseconds - LiveTraffic.wallMilliseconds()
                if wait <= 0 { break }
                Thread.sleep(forTimeInterval: Double(min(wait, 100)) / 1_000)
            }
            if shouldStop() { break }
            try sink.write(record)
            sent.add(1, ordering: .relaxed)
        }
    }

    /// A sentence naming the error production stopped on, or `nil`.
    var failure: String? {
        outcome.withLock { $0.map { "producing traffic failed: \($0)" } }
    }

    /// Waits up to `timeout` for the thread to finish after a stop.
    ///
    /// - Returns: `nil` when every record was delivered, else a sentence naming the failure.
    func wait(timeout: Duration) -> String? {
        guard started.load(ordering: .relaxed) else { return nil }
        if finished.wait(timeout: .now() + Double(timeout.components.seconds)) == .timedOut {
            return "the traffic producer did not stop within \(timeout.components.seconds) s"
        }
        finished.signal()  // Later calls return at once.
        return outcome.withLock { $0.map { "producing traffic failed: \($0)" } }
    }

    /// Milliseconds since the epoch.
    static func wallMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000).rounded(.down))
    }
}
