import Foundation
import KafkaBridge
import StreamCore

/// Loads an events file into an embedded cluster, runs the streaming worker until it has
/// consumed every record, and checks that its feature topic contains the same records as
/// `memestream replay` computes from the same events.
///
/// The events topic is keyed by `meme_id`, with record timestamp = event time (`ts`); a line the
/// decoder rejects is sent with an empty key and no timestamp, so the broker stamps it. The
/// worker runs with the idle rule off (`idle_timeout` 0) and starts at the earliest offset.
/// Replay reads the events back from the topic as kcat envelopes, so it sees the same partitions,
/// offsets and record timestamps as the worker. Without `--to`, replay leaves the last windows of
/// each partition open, as a caught-up worker without the idle rule does.
///
/// Not thread-safe: one thread calls ``run()``.
struct RealDataRoundTrip {
    /// The result of a round trip.
    struct Report {
        var eventsLoaded = 0
        var eventsConsumed: UInt64 = 0
        var rejections: [(reason: String, count: UInt64)] = []
        /// Feature records and tombstones read back from the feature topic.
        var workerRecords = 0
        var workerTombstones = 0
        /// Lines `memestream replay` wrote for the same events.
        var replayLines = 0
        /// The latest record of each meme on the feature topic, as an online store keeps them.
        var board = TrendingBoard()
        /// Sentences describing the first differences; empty when both outputs are equal.
        var differences: [String] = []
        var elapsedSeconds = 0.0
    }

    var inputFile: String
    /// Partitions of the events, feature and dead-letter topics.
    var partitions: Int32 = 16
    /// Bound for the worker to consume every loaded record.
    var timeout: Duration = .seconds(600)
    /// A directory for checkpoints and the intermediate files; it must exist.
    var workDirectory: String
    var logger: Logger

    /// Runs the round trip.
    ///
    /// - Throws: ``DemoError`` or a Kafka or file error when a step fails (unreadable input,
    ///   undelivered records, records lost to retention, a worker failure or timeout). A
    ///   difference between the outputs is not thrown; it is listed in ``Report/differences``.
    func run() throws -> Report {
        let started = ContinuousClock.now
        var report = Report()
        let cluster = try MockCluster(brokers: 1)
        var settings = WorkerSettings()
        settings.group = "memestream-round-trip"
        settings.idleTimeoutMilliseconds = 0
        settings.startFrom = .earliest
        for topic in [settings.inputTopic, settings.featureTopic, settings.dlqTopic] {
            try cluster.createTopic(topic, partitions: Int(partitions))
        }

        report.eventsLoaded = try loadEvents(into: settings.inputTopic, bootstrapServers: cluster.bootstrapServers)
        try Self.checkInterrupt()
        try runWorker(settings: settings, bootstrapServers: cluster.bootstrapServers, report: &report)
        try Self.checkInterrupt()

        let envelopesPath = workDirectory + "/events.kcat.jsonl"
        try dumpEnvelopes(
            topic: settings.inputTopic,
            bootstrapServers: cluster.bootstrapServers,
            expected: report.eventsLoaded,
            path: envelopesPath
        )
        try Self.checkInterrupt()
        let workerLines = try readFeatureLines(
            topic: settings.featureTopic,
            bootstrapServers: cluster.bootstrapServers,
            report: &report
        )
        try Self.checkInterrupt()
        let replayLines = try replay(envelopesPath: envelopesPath)
        report.replayLines = replayLines.count
        report.differences = RealDataRoundTrip.differences(worker: workerLines, replay: replayLines)
        report.elapsedSeconds = (ContinuousClock.now - started) / .seconds(1)
        return report
    }

    /// The run stopped at SIGINT, SIGTERM or SIGHUP (``InterruptFlag``), once the command
    /// installed its handlers.
    struct Interrupted: Error {}

    /// Throws ``Interrupted`` when a signal has arrived.
    private static func checkInterrupt() throws {
        if InterruptFlag().isRaised { throw Interrupted() }
    }

    /// Produces every non-blank line of the input file and returns how many were sent.
    private func loadEvents(into topic: String, bootstrapServers: String) throws -> Int {
        let reader = try LineReader(path: inputFile)
        let decoder = EventDecoder()
        var configuration = KafkaTopicOutput.configuration(bootstrapServers: bootstrapServers, properties: [:])
        configuration.clientID = "memestream-round-trip-loader"
        var output = try KafkaTopicOutput(configuration: configuration, topic: topic)
        var record = GeneratedRecord()
        var count = 0
        while let line = try reader.nextLine() {
            try Self.checkInterrupt()
            guard line.bytes.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) else {
                continue
            }
            record.value = Array(line.bytes)
            if let event = decoder.decode(line.bytes, recordTimestamp: nil).event {
                record.key = Array(event.memeID.utf8)
                record.timestampMilliseconds = event.eventTime.rawValue
            } else {
                // NOTE: an undecodable line has no event time, so it gets the load time. The worker
                // and replay still read the same record from the topic.
                record.key = []
                record.timestampMilliseconds = LiveTraffic.wallMilliseconds()
            }
            try output.write(record)
            count += 1
        }
        try output.finish()
        return count
    }

    private func runWorker(settings: WorkerSettings, bootstrapServers: String, report: inout Report) throws {
        let stop = StopFlag()
        let worker = EmbeddedWorker(
            bootstrapServers: bootstrapServers,
            settings: settings,
            checkpointDirectory: workDirectory,
            logger: logger
        )
        try worker.start(shouldStop: { stop.isRaised })

        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var failure: String?
        var interrupted = false
        while worker.eventsConsumed(partitions: partitions) < UInt64(report.eventsLoaded) {
            if InterruptFlag().isRaised {
                interrupted = true
                break
            }
            if let problem = worker.failure {
                failure = problem
                break
            }
            if clock.now >= deadline {
                failure =
                    "the worker consumed \(worker.eventsConsumed(partitions: partitions)) of "
                    + "\(report.eventsLoaded) records within \(timeout.components.seconds) s; by partition: "
                    + worker.consumedByPartition(partitions: partitions)
                break
            }
            Thread.sleep(forTimeInterval: 0.05)
        }

        stop.raise()
        let stopFailure = worker.wait(timeout: .seconds(60))
        if interrupted { throw Interrupted() }
        if let problem = failure ?? stopFailure {
            throw DemoError(problem)
        }
        report.eventsConsumed = worker.eventsConsumed(partitions: partitions)
        report.rejections = worker.rejectionCounts()
    }

    /// Writes the events topic as kcat `-J` envelopes, the input form of replay that carries
    /// partitions, offsets and record timestamps.
    private func dumpEnvelopes(topic: String, bootstrapServers: String, expected: Int, path: String) throws {
        let reader = try TopicReader(bootstrapServers: bootstrapServers, topic: topic, partitionCount: partitions)
        defer { reader.close() }
        let messages = try reader.readToEnd(timeout: .seconds(120), requireWholeLog: true)
        guard messages.count == expected else {
            throw DemoError(
                "the events topic '\(topic)' contains \(messages.count) of \(expected) loaded records; "
                    + "the embedded cluster keeps about 5 MiB per partition, so use more partitions"
            )
        }
        let writer = try LineWriter(path: path)
        var line: [UInt8] = []
        for message in messages {
            KcatEnvelopeWriter.write(message, into: &line)
            try line.withUnsafeBytes { try writer.writeLine($0) }
        }
        try writer.close()
    }

    /// Reads the feature topic and returns each record as replay writes it: the value, or for
    /// a tombstone the record object with `"features":null`.
    private func readFeatureLines(topic: String, bootstrapServers: String, report: inout Report) throws -> [String] {
        let reader = try TopicReader(bootstrapServers: bootstrapServers, topic: topic, partitionCount: partitions)
        defer { reader.close() }
        var lines: [String] = []
        for message in try reader.readToEnd(timeout: .seconds(120), requireWholeLog: true) {
            report.board.apply(message)
            if let value = message.value {
                report.workerRecords += 1
                lines.append(String(decoding: value, as: UTF8.self))
            } else {
                report.workerTombstones += 1
                lines.append(RealDataRoundTrip.tombstoneLine(message))
            }
        }
        return lines
    }

    /// Renders a tombstone in replay's form: key, record timestamp and the two headers as a
    /// record object with `"features":null`.
    static func tombstoneLine(_ message: KafkaMessage) -> String {
        func header(_ name: String) -> String {
            let value = message.headers.first { $0.name == name }?.value ?? []
            return String(decoding: value, as: UTF8.self)
        }
        return tombstoneLine(
            memeID: String(decoding: message.key ?? [], as: UTF8.self),
            tick: message.timestamp?.milliseconds ?? -1,
            featureSet: header("feature_set"),
            schemaVersion: header("schema_version")
        )
    }

    /// Renders the record object of a tombstone with `"features":null`, members in record order.
    ///
    /// NOTE: escapes the id like ``JSONText``; an id with characters the engine escapes
    /// differently would show up as a difference in the check.
    static func tombstoneLine(memeID: String, tick: Int64, featureSet: String, schemaVersion: String) -> String {
        var line = "{\"meme_id\":"
        JSONText.appendString(memeID, to: &line)
        line += ",\"tick\":\(tick),\"feature_set\":"
        JSONText.appendString(featureSet, to: &line)
        line += ",\"version\":\(schemaVersion),\"features\":null}"
        return line
    }

    private func replay(envelopesPath: String) throws -> [String] {
        var options = ReplayOptions(inputFile: envelopesPath)
        options.inputFormat = .kcat
        options.outputFile = workDirectory + "/replay.jsonl"
        let runner = ReplayRunner(options: options, makeEngine: try ReplayEngineBinding.engineFactory(for: options))
        var summary = ReplayRunner.Summary()
        try runner.run(summary: &summary)

        let reader = try LineReader(path: options.outputFile!)
        var lines: [String] = []
        while let line = try reader.nextLine() {
            lines.append(String(decoding: line.bytes, as: UTF8.self))
        }
        return lines
    }

    /// Compares the two outputs as multisets of lines and describes up to five differences.
    static func differences(worker: [String], replay: [String]) -> [String] {
        let (sortedWorker, sortedReplay) = (worker.sorted(), replay.sorted())
        guard sortedWorker != sortedReplay else { return [] }
        var result = ["the worker wrote \(worker.count) records, replay \(replay.count)"]
        var (i, j) = (0, 0)
        while result.count < 6, i < sortedWorker.count || j < sortedReplay.count {
            if j == sortedReplay.count || (i < sortedWorker.count && sortedWorker[i] < sortedReplay[j]) {
                result.append("only in the feature topic: \(sortedWorker[i])")
                i += 1
            } else if i == sortedWorker.count || sortedReplay[j] < sortedWorker[i] {
                result.append("only in the replay output: \(sortedReplay[j])")
                j += 1
            } else {
                i += 1
                j += 1
            }
        }
        return result
    }
}
