import Foundation
import KafkaBridge
import StreamCore

/// One run of the demo on a started cluster: starts traffic and worker, refreshes the view until
/// a stop is requested, then stops everything in order (traffic, worker, final read).
///
/// Not thread-safe: one thread calls ``run(isTerminal:)``.
struct DemoSession {
    let options: DemoOptions
    let cluster: MockCluster
    let settings: WorkerSettings
    let checkpointDirectory: String
    let logger: Logger

    private var board = TrendingBoard()
    private var previousConsumed: UInt64 = 0
    private var previousSampleSeconds = 0.0
    private let clock = ContinuousClock()

    init(
        options: DemoOptions,
        cluster: MockCluster,
        settings: WorkerSettings,
        checkpointDirectory: String,
        logger: Logger
    ) {
        self.options = options
        self.cluster = cluster
        self.settings = settings
        self.checkpointDirectory = checkpointDirectory
        self.logger = logger
    }

    /// Runs until SIGINT/SIGTERM, the end of `--duration` or a component failure.
    ///
    /// - Returns: The last status and a sentence naming the first failure, if any.
    mutating func run(isTerminal: Bool) -> (status: DemoStatus, failure: String?) {
        let started = clock.now
        let trafficStop = StopFlag()
        let workerStop = StopFlag()
        let traffic = LiveTraffic(configuration: generatorConfiguration(), bootstrapServers: cluster.bootstrapServers)
        let worker = EmbeddedWorker(
            bootstrapServers: cluster.bootstrapServers,
            settings: settings,
            checkpointDirectory: checkpointDirectory,
            logger: logger
        )
        var failure: String?
        var reader: TopicReader?
        do {
            try worker.start(shouldStop: { workerStop.isRaised })
            try traffic.start(shouldStop: { trafficStop.isRaised })
            reader = try TopicReader(
                bootstrapServers: cluster.bootstrapServers,
                topic: settings.featureTopic,
                partitionCount: options.partitions
            )
            failure = watch(reader!, traffic: traffic, worker: worker, started: started, isTerminal: isTerminal)
        } catch {
            failure = "starting the demo failed: \(errorText(error))"
        }
        // The run time reported at the end leaves out the shutdown below.
        let stopped = clock.now

        // Stop in dependency order: no new input, then the worker drains and checkpoints, then
        // the view reads what the worker produced last.
        trafficStop.raise()
        if let problem = traffic.wait(timeout: DemoCommand.shutdownTimeout) { failure = failure ?? problem }
        workerStop.raise()
        if let problem = worker.wait(timeout: DemoCommand.shutdownTimeout) { failure = failure ?? problem }
        if let reader {
            do {
                for message in try reader.readToEnd(timeout: .seconds(30)) { board.apply(message) }
            } catch {
                failure = failure ?? "reading the feature topic failed: \(errorText(error))"
            }
            reader.close()
        }
        return (sample(traffic: traffic, worker: worker, started: started, now: stopped), failure)
    }

    /// Refreshes the view until a stop is requested; returns a failure sentence, if any.
    private mutating func watch(
        _ reader: TopicReader,
        traffic: LiveTraffic,
        worker: EmbeddedWorker,
        started: ContinuousClock.Instant,
        isTerminal: Bool
    ) -> String? {
        let interrupt = InterruptFlag()
        let refresh: Duration = isTerminal ? .seconds(1) : .seconds(DemoCommand.plainIntervalSeconds)
        var nextRefresh = started + (isTerminal ? .zero : refresh)
        let deadline = options.durationMilliseconds.map { started + .milliseconds($0) }
        while !interrupt.isRaised {
            if let deadline, clock.now >= deadline { return nil }
            if let problem = worker.failure ?? traffic.failure { return problem }
            do {
                for message in try reader.poll(timeout: .milliseconds(100)) { board.apply(message) }
            } catch {
                return "reading the feature topic failed: \(errorText(error))"
            }
            guard clock.now >= nextRefresh else { continue }
            nextRefresh = nextRefresh + refresh
            let status = sample(traffic: traffic, worker: worker, started: started)
            if isTerminal {
                print(DemoView.clearScreen + DemoView.frame(status, title: "memestream demo"), terminator: "")
            } else {
                print(DemoView.plainSummary(status))
            }
            fflush(nil)  // Flushes every output stream, so a pipe reader sees each summary now.
        }
        return nil
    }

    private mutating func sample(
        traffic: LiveTraffic,
        worker: EmbeddedWorker,
        started: ContinuousClock.Instant,
        now: ContinuousClock.Instant? = nil
    )
        -> DemoStatus
    {
        let elapsed = ((now ?? clock.now) - started) / .seconds(1)
        let consumed = worker.eventsConsumed(partitions: options.partitions)
        let interval = elapsed - previousSampleSeconds
        let perSecond = interval > 0 ? Double(consumed - min(consumed, previousConsumed)) / interval : 0
        previousConsumed = consumed
        previousSampleSeconds = elapsed

        var maxLag: Double?
        for partition in 0..<options.partitions {
            let gauge = worker.metrics.registry.gauge(.watermarkLag, labels: [("partition", String(partition))])
            // A gauge reads 0 until the partition has a watermark.
            if gauge.value != 0 { maxLag = max(maxLag ?? gauge.value, gauge.value) }
        }
        return DemoStatus(
            elapsedSeconds: elapsed,
            bootstrapServers: cluster.bootstrapServers,
            recordsSent: traffic.recordsSent,
            eventsConsumed: consumed,
            eventsPerSecond: perSecond,
            recordsEmitted: worker.metrics.recordsEmitted.value,
            tombstonesEmitted: worker.metrics.tombstonesEmitted.value,
            maxWatermarkLagSeconds: maxLag,
            rejections: worker.rejectionCounts(),
            keyMismatches: worker.metrics.keyMismatches.value,
            memesOnBoard: board.memes.count,
            top: board.top(options.top, by: \.trendingScore)
        )
    }

    private func generatorConfiguration() -> GeneratorConfiguration {
        var configuration = GeneratorConfiguration()
        configuration.seed = options.seed
        configuration.startMilliseconds = LiveTraffic.wallMilliseconds() - options.backfillMilliseconds
        configuration.limit = .events(Int.max)
        configuration.eventsPerSecond = options.rate
        configuration.initialMemes = options.memes
        configuration.writesToTopic = true
        configuration.topic = settings.inputTopic
        return configuration
    }
}
