import Foundation
import KafkaBridge
import StreamCore

#if canImport(Glibc)
import Glibc
#endif

/// `memestream demo`: the whole job on an embedded cluster. Generated traffic goes to the events
/// topic, the worker turns it into feature records, and a view reads the feature topic and the
/// worker's metrics once per second.
enum DemoCommand: Subcommand {
    static let name = "demo"
    static let summary = "Run generator, worker and a live view of the top trending memes on an embedded cluster."
    static var options: [OptionSpec] { DemoOptions.specs }
    static let usage = """
        usage: memestream demo [--duration SECONDS] [--seed N] [--rate PER_SECOND] [OPTIONS]

        Starts librdkafka's mock cluster on 127.0.0.1, creates the topics memes.events,
        memes.features and memes.events.dlq, produces seeded synthetic traffic (with bad records
        and late arrivals) and runs the streaming worker on it in this process. On a terminal it
        redraws the top trending memes, throughput, watermark lag and rejections every second;
        otherwise it prints a plain summary every 5 s. Ctrl-C or SIGTERM (or the end of
        --duration) stops the traffic, flushes the producer, checkpoints the worker, shuts the
        cluster down and prints a final summary.
        """

    /// Seconds between plain summaries when standard output is not a terminal.
    static let plainIntervalSeconds = 5.0
    /// Bound for each component's shutdown.
    static let shutdownTimeout: Duration = .seconds(60)

    static func run(_ arguments: ParsedArguments) async throws -> Int32 {
        let options = try DemoOptions(arguments)
        InterruptFlag.install()
        let isTerminal = isatty(1) == 1 && !options.plain
        let logPath = options.logFile ?? NSTemporaryDirectory() + "memestream-demo.log"
        let logDescriptor = open(logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard logDescriptor >= 0 else {
            throw UsageError("cannot open --log-file '\(logPath)': \(String(cString: strerror(errno)))")
        }
        defer { close(logDescriptor) }
        // Repeats of one message (such as key mismatches) are collapsed, as `memestream run` does.
        let handler = RateLimitingLogHandler(
            wrapping: StreamLogHandler(formatter: LogLineFormatter(format: .logfmt), fileDescriptor: logDescriptor),
            limit: 5,
            intervalMilliseconds: 10_000
        )
        defer { handler.flush() }
        let logger = Logger(label: "memestream.demo", level: .notice, handler: handler)

        let workDirectory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: workDirectory) }

        let cluster = try MockCluster(brokers: 1)
        var settings = WorkerSettings()
        settings.group = "memestream-demo"
        settings.idleTimeoutMilliseconds = options.idleTimeoutMilliseconds
        settings.checkpointIntervalMilliseconds = 5_000
        settings.shutdownTimeoutMilliseconds = 30_000
        for topic in [settings.inputTopic, settings.featureTopic, settings.dlqTopic] {
            try cluster.createTopic(topic, partitions: Int(options.partitions))
        }

        var session = DemoSession(
            options: options,
            cluster: cluster,
            settings: settings,
            checkpointDirectory: workDirectory,
            logger: logger
        )
        let result = session.run(isTerminal: isTerminal)
        print("\n" + DemoView.finalSummary(result.status))
        print("  worker log: \(logPath)")
        if let failure = result.failure {
            printError("memestream demo: \(failure)")
            return 1
        }
        return 0
    }

    /// Creates a fresh directory for the worker's checkpoints under the system temporary directory.
    static func makeTemporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "memestream-demo-\(getpid())-\(UUID().uuidString)"
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw DemoError("creating the checkpoint directory '\(path)' failed: \(error.localizedDescription)")
        }
        return path
    }
}
