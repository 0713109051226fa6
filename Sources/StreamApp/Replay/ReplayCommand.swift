import StreamCore

/// `memestream replay`: recomputes feature records from a file or topic of historical events.
enum ReplayCommand: Subcommand {
    static let name = "replay"
    static let summary = "Recompute feature records for a time range from a JSONL or JSONL.zst file or a Kafka topic."
    static var options: [OptionSpec] { ReplayOptions.specs }

    static let usage = """
        usage: memestream replay --input-file FILE [--input-format events|kcat] [--output-file FILE]
                                 [--from TIME] [--to TIME] [--feature-set FILE] [--rejections-file FILE]
                                 [engine settings]
               memestream replay --input-topic TOPIC -b SERVERS [--warmup DURATION] [-F FILE] [-X K=V]
                                 [--from TIME] [--to TIME] [--output-file FILE] ...

        Runs the feature engine over the records of FILE or TOPIC, one engine per input partition, and writes
        one feature record value per line (a tombstone as the record with "features":null). Records
        whose tick is outside [--from, --to) are not written, but input before --from still builds
        state. At the end of input every partition's watermark is advanced to --to. A summary and
        per-reason rejection counts go to standard error.
        """

    /// Bad input lines printed to standard error before the rest are only counted.
    static let printedBadLineLimit = 10

    static func run(_ arguments: ParsedArguments) async throws -> Int32 {
        var options = try ReplayOptions(arguments)
        let featureSet = try ReplayEngineBinding.featureSet(for: options)
        if options.warmupMilliseconds == nil {
            options.warmupMilliseconds = options.defaultWarmupMilliseconds(for: featureSet)
        }
        let makeEngine = ReplayEngineBinding.engineFactory(featureSet: featureSet, options: options)
        let delay = options.allowedLatenessMilliseconds + options.outOfOrdernessMilliseconds
        for cost in featureSet.windowCosts(tickMilliseconds: options.tickMilliseconds, delayMilliseconds: delay) {
            printError("memestream replay: note: \(cost)")
        }

        var printedBadLines = 0
        var runner = ReplayRunner(options: options, makeEngine: makeEngine)
        runner.reportBadLine = { message in
            printedBadLines += 1
            if printedBadLines <= printedBadLineLimit {
                printError("memestream replay: \(options.inputDescription): \(message)")
            } else if printedBadLines == printedBadLineLimit + 1 {
                printError("memestream replay: further bad lines are counted in the summary but not printed")
            }
        }

        runner.reportNotice = { message in
            printError("memestream replay: \(options.inputDescription): \(message)")
        }

        var summary = ReplayRunner.Summary()
        InterruptFlag.install()
        do {
            try runner.run(summary: &summary)
        } catch let error as ReplayInterrupted {
            printSummary(summary, options: options, failed: true)
            printError("memestream replay: \(error)")
            return 130
        } catch {
            // A failure to open the input or an output leaves nothing to summarize.
            if summary.isStarted {
                printSummary(summary, options: options, failed: true)
            }
            throw error
        }
        printSummary(summary, options: options)
        return 0
    }

    /// Returns the first ten partitions, comma-separated, and how many more there are, so that a
    /// kcat file with many partitions keeps the summary to one short line; `none` when empty.
    static func partitionList(_ partitions: [Int32]) -> String {
        guard !partitions.isEmpty else { return "none" }
        let listed = partitions.prefix(10).map(String.init).joined(separator: ",")
        return partitions.count > 10 ? "\(listed) and \(partitions.count - 10) more" : listed
    }

    /// Returns `count` with `noun`, in the plural unless `count` is 1 ("1 record", "2 records").
    static func counted(_ count: some BinaryInteger, _ noun: String) -> String {
        count == 1 ? "1 \(noun)" : "\(count) \(noun)s"
    }

    /// Prints what the run read, wrote and rejected to standard error.
    /// With `failed`, the run stopped on an error, so the written counts are records handed to
    /// the output before it, not records known to be on disk.
    static func printSummary(_ summary: ReplayRunner.Summary, options: ReplayOptions, failed: Bool = false) {
        let seconds = (summary.elapsedSeconds * 1000).rounded() / 1000
        let rate = summary.elapsedSeconds > 0 ? Int(Double(summary.records) / summary.elapsedSeconds) : 0
        // A topic has records, not lines, so its summary leaves out the line and blank counts.
        let readCounts =
            options.inputTopic == nil
            ? "\(counted(summary.linesRead, "line")) (\(counted(summary.records, "record")), \(summary.blankLines) blank)"
            : counted(summary.records, "record")
        printError(
            "memestream replay: read \(readCounts) from \(options.inputDescription) in \(seconds) s "
                + "(\(rate) records/s), input partitions: \(partitionList(summary.partitions)), "
                + "largest number of keys in state: \(summary.peakKeyCount)"
        )
        let verb = failed ? "stopped after handing" : "wrote"
        // The range only leaves records out when --from or --to is given.
        var leftOut: [String] = []
        if summary.recordsBeforeFrom > 0 { leftOut.append("\(summary.recordsBeforeFrom) before --from") }
        if summary.recordsFromTo > 0 { leftOut.append("\(summary.recordsFromTo) at --to or later") }
        let rangeNote =
            leftOut.isEmpty
            ? "" : "; records with a tick outside [--from, --to) were left out: " + leftOut.joined(separator: ", ")
        printError(
            "memestream replay: \(verb) \(counted(summary.recordsWritten, "record")) and "
                + "\(counted(summary.tombstonesWritten, "tombstone")) "
                + "to \(options.outputFile ?? "standard output")\(rangeNote)"
        )
        if options.to == nil && summary.records > 0 && !failed {
            var example = ""
            if let largest = summary.largestEventTime {
                // The tick after the last event's own tick: its records are then written too.
                let end =
                    TickArithmetic.nextMultiple(after: largest.rawValue, of: options.tickMilliseconds)
                    + options.tickMilliseconds
                example = " (--to \(end), \(LogTimestamp.rfc3339(milliseconds: end)), reaches the last event)"
            }
            printError(
                "memestream replay: without --to, ticks closed only up to each partition's watermark (its largest "
                    + "ts minus the out-of-orderness), so the last events reached no record; give --to TIME to close "
                    + "every tick before TIME\(example)"
            )
        }
        if summary.keyMismatches > 0 {
            printError(
                "memestream replay: \(counted(summary.keyMismatches, "accepted record")) carried a record key other "
                    + "than the event's meme_id (key_mismatch): each counts for its meme_id, but the producer put it in "
                    + "the partition of another key; fix the producer's key"
            )
        }
        let rejected = summary.rejectionCounts.values.reduce(0, +)
        if rejected == 0 {
            printError("memestream replay: rejected 0 records")
        } else {
            let reasons = summary.rejectionCounts.keys.sorted()
                .map { "\($0)=\(summary.rejectionCounts[$0]!)" }
                .joined(separator: " ")
            printError("memestream replay: rejected \(counted(rejected, "record")): \(reasons)")
            if options.rejectionsFile == nil {
                printError(
                    "memestream replay: --rejections-file FILE lists each rejected record with its line and reason"
                )
            }
        }
    }
}
