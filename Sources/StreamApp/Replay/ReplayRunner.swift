import StreamCore

/// The replay loop: reads the input file, routes each record to its partition's engine
/// (created when the partition is first seen), advances every watermark to `--to` at the end of
/// input, and closes the output.
struct ReplayRunner {
    /// Creates the engine of a partition the first time one of its records arrives.
    typealias EngineFactory = (_ partition: Int32) throws -> any ReplayPartitionEngine

    /// The counts of a finished or failed run, for the summary.
    struct Summary {
        var linesRead = 0
        var blankLines = 0
        var records = 0
        var partitions: [Int32] = []
        var recordsWritten = 0
        var tombstonesWritten = 0
        var recordsBeforeFrom = 0
        var recordsFromTo = 0
        var recordsOutsideRange: Int { recordsBeforeFrom + recordsFromTo }
        var rejectionCounts: [String: Int] = [:]
        var elapsedSeconds = 0.0
        /// The sum over the input partitions of each partition's largest number of keys in
        /// state. With several partitions it can exceed the largest total at any one time,
        /// because the partitions may peak at different times.
        var peakKeyCount = 0
        /// Accepted records whose record key was not their `meme_id` (kcat files and topics).
        var keyMismatches = 0
        /// The largest `ts` any partition accepted, or `nil` when none accepted an event.
        var largestEventTime: EventTime?
        /// `true` once the input and the outputs are open, so reading has started.
        var isStarted = false
    }

    let options: ReplayOptions
    let makeEngine: EngineFactory
    /// Receives each bad line's message; the command prints the first few.
    var reportBadLine: (String) -> Void = { _ in }
    /// Receives notices about the input, such as a start time the broker cannot resolve.
    var reportNotice: (String) -> Void = { _ in }

    /// Runs the replay and returns its summary.
    ///
    /// - Throws: ``FileIOError`` when the input cannot be read to its end or the output cannot be
    ///   written. Output produced from the lines before an input failure is written and the file
    ///   closed before the error is thrown. The watermark is then not advanced to `--to`, because
    ///   the input is incomplete.
    func run(summary: inout Summary) throws {
        let start = ContinuousClock.now
        let input: any ReplayRecordSource
        if let topic = options.inputTopic {
            var startTime: EventTime?
            if let from = options.from {
                // A start before the epoch is the log start: Kafka reads the time −1 as "the
                // log end", which would read nothing.
                startTime = EventTime(milliseconds: max(0, from.rawValue - (options.warmupMilliseconds ?? 0)))
            }
            input = try ReplayTopicInput(
                configuration: options.kafkaConfiguration(),
                topic: topic,
                startTime: startTime
            )
        } else {
            input = try ReplayInput(
                path: options.inputFile,
                format: options.inputFormat,
                maximumLineBytes: options.maximumLineBytes
            )
        }
        try input.prepare(reportNotice: reportNotice)
        // Both files open before either is emptied, so a rejections file that cannot be opened
        // leaves an existing output file as it was.
        let writer = try LineWriter(path: options.outputFile ?? "-", truncating: false)
        let rejectionsWriter = try options.rejectionsFile.map { try LineWriter(path: $0, truncating: false) }
        try writer.truncate()
        try rejectionsWriter?.truncate()
        let output = ReplayOutput(
            writer: writer,
            rejectionsWriter: rejectionsWriter,
            from: options.from,
            to: options.to
        )

        summary.isStarted = true
        var handler = Handler(output: output, makeEngine: makeEngine, reportBadLine: reportBadLine)
        handler.lineLimit = options.maximumLineBytes
        var inputError: (any Error)?
        do {
            try input.read(into: &handler, reportNotice: reportNotice)
        } catch {
            inputError = error
        }

        if inputError == nil, let to = options.to {
            for partition in handler.engines.keys.sorted() {
                handler.engines[partition]!.advanceWatermark(to: to, into: output)
            }
        }
        let closeError: (any Error)?
        do {
            try output.close()
            closeError = nil
        } catch {
            closeError = error
        }

        summary.linesRead = input.linesRead
        summary.blankLines = input.blankLines
        summary.records = input.recordCount
        summary.partitions = handler.engines.keys.sorted()
        summary.peakKeyCount = handler.peakKeyCount
        summary.keyMismatches = handler.keyMismatchCount
        summary.largestEventTime = handler.engines.values.compactMap(\.maxEventTime).max()
        summary.recordsWritten = output.recordsWritten
        summary.tombstonesWritten = output.tombstonesWritten
        summary.recordsBeforeFrom = output.recordsBeforeFrom
        summary.recordsFromTo = output.recordsFromTo
        summary.rejectionCounts = output.rejectionCounts
        let elapsed = ContinuousClock.now - start
        summary.elapsedSeconds =
            Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18

        if let inputError { throw inputError }
        if let closeError { throw closeError }
    }

    /// Routes input lines to engines and rejections to the output.
    private struct Handler: ReplayInputHandler {
        let output: ReplayOutput
        let makeEngine: EngineFactory
        let reportBadLine: (String) -> Void
        var engines: [Int32: any ReplayPartitionEngine] = [:]
        /// The engine of the previous record, which is usually the next record's too.
        var lastPartition: Int32 = -1
        var lastEngine: (any ReplayPartitionEngine)?
        /// The maximum length of an input line read whole, in bytes, for the `too_large` detail.
        var lineLimit = LineReader.defaultMaximumLineBytes
        /// Raised by SIGINT, SIGTERM or SIGHUP once the command installed its handlers.
        let interrupt = InterruptFlag()

        init(output: ReplayOutput, makeEngine: @escaping EngineFactory, reportBadLine: @escaping (String) -> Void) {
            self.output = output
            self.makeEngine = makeEngine
            self.reportBadLine = reportBadLine
        }

        mutating func record(_ record: InputRecord, lineNumber: Int?) throws {
            if interrupt.isRaised { throw ReplayInterrupted() }
            output.currentLine = lineNumber
            let engine = try engine(for: record.partition)
            engine.process(record, into: output)
            if let writeError = output.writeError { throw writeError }
        }

        mutating func upcomingValue(_ value: UnsafeRawBufferPointer, partition: Int32) {
            // Only an engine that exists takes hints: a hint never creates one.
            guard partition == lastPartition else { return }
            lastEngine?.prefetchState(forValue: value)
        }

        /// The sum of every engine's largest key count.
        var peakKeyCount: Int { engines.values.reduce(0) { $0 + $1.peakKeyCount } }
        /// The sum of every engine's key mismatches.
        var keyMismatchCount: Int { engines.values.reduce(0) { $0 + $1.keyMismatchCount } }

        mutating func overlongEvent(partition: Int32, offset: Int64, lineNumber: Int, length: Int) throws {
            output.currentLine = lineNumber
            _ = try engine(for: partition)
            output.reject(
                partition: partition,
                offset: offset,
                reason: RejectionReason.tooLarge.rawValue,
                detail: "record value of \(length) bytes is larger than the replay line limit of \(lineLimit) bytes; "
                    + "raise --max-event-bytes to accept it, and the line limit grows with it"
            )
            if let writeError = output.writeError { throw writeError }
        }

        mutating func badEnvelope(lineNumber: Int, reason: String) throws {
            output.currentLine = lineNumber
            output.rejectBadEnvelope(detail: reason)
            reportBadLine("line \(lineNumber): \(reason); line skipped")
            if let writeError = output.writeError { throw writeError }
        }

        private mutating func engine(for partition: Int32) throws -> any ReplayPartitionEngine {
            if partition == lastPartition, let lastEngine { return lastEngine }
            let engine: any ReplayPartitionEngine
            if let existing = engines[partition] {
                engine = existing
            } else {
                engine = try makeEngine(partition)
                engines[partition] = engine
            }
            lastPartition = partition
            lastEngine = engine
            return engine
        }
    }
}
