import Dispatch
import Foundation
import KafkaBridge
import StreamCore

/// `memestream dev-cluster`: runs librdkafka's mock Kafka cluster on loopback until SIGINT or
/// SIGTERM, for local runs and demos without a real broker.
enum DevClusterCommand: Subcommand {
    static let name = "dev-cluster"
    static let summary = "Run an embedded Kafka-protocol cluster on 127.0.0.1 until interrupted."

    static var options: [OptionSpec] {
        [
            .value("brokers", valueName: "N", help: "Number of brokers, 1 to 64. Default: 3."),
            .value(
                "topic",
                valueName: "NAME:PARTITIONS",
                repeatable: true,
                help:
                    "Create a topic with this many partitions (repeatable). Other topics are created on first produce with 4 partitions."
            ),
            .value(
                "bootstrap-file",
                valueName: "FILE",
                help:
                    "Also write the bootstrap servers to FILE, removed on exit. A FILE naming running brokers is rejected."
            ),
        ]
    }

    static var usage: String {
        """
        usage: memestream dev-cluster [--brokers N] [--topic NAME:PARTITIONS ...] [--bootstrap-file FILE]

        Starts librdkafka's mock cluster on 127.0.0.1 ports chosen by the kernel, prints its
        bootstrap servers on standard output and runs until SIGINT or SIGTERM, then exits 0.
        The mock keeps about 5 MiB per partition, has no compaction and cannot serve admin requests.
        """
    }

    /// The validated options of one run.
    struct Settings {
        var brokers: Int
        var topics: [(name: String, partitions: Int)]
        var bootstrapFile: String?
    }

    /// Reads and validates the options before the cluster starts.
    ///
    /// The bootstrap file is replaced on start and removed on exit, so a device or directory at
    /// that path is rejected rather than replaced. So is a file whose brokers accept connections,
    /// because another dev-cluster is probably serving them. A file left by a cluster that was
    /// killed names brokers that are gone, and is replaced.
    ///
    /// - Throws: ``UsageError`` for a positional argument, a bad `--brokers` or `--topic`, a topic
    ///   given twice, or a `--bootstrap-file` that exists and is not a regular file or names
    ///   brokers that accept connections.
    static func settings(_ arguments: ParsedArguments) throws -> Settings {
        if let extra = arguments.positional.first {
            throw UsageError("unexpected argument '\(extra)'; give topics with --topic NAME:PARTITIONS")
        }
        let brokers =
            try arguments.value("brokers").map {
                Int(try OptionValues.integer($0, option: "brokers", range: 1...64))
            } ?? 3
        let topics = try arguments.allValues("topic").map(parseTopic)
        var names: Set<String> = []
        for topic in topics where !names.insert(topic.name).inserted {
            throw UsageError("--topic \(topic.name) is given twice; give each topic once")
        }
        let bootstrapFile = arguments.value("bootstrap-file")
        if let bootstrapFile {
            var status = stat()
            if stat(bootstrapFile, &status) == 0, (status.st_mode & S_IFMT) != S_IFREG {
                throw UsageError(
                    "invalid --bootstrap-file '\(bootstrapFile)': it exists and is not a regular file; give a file path"
                )
            }
            // A file that exists but cannot be read may name a running cluster, and is not replaced.
            if access(bootstrapFile, F_OK) == 0, access(bootstrapFile, R_OK) != 0 {
                throw UsageError(
                    "cannot read --bootstrap-file '\(bootstrapFile)' (\(String(cString: strerror(errno)))), so whether "
                        + "another dev-cluster uses it is unknown; give a file you can read, or another path"
                )
            }
            let servers = (readBootstrapFile(bootstrapFile) ?? "").split(separator: ",").prefix(64)
            if let live = servers.first(where: { LoopbackProbe.acceptsConnections(String($0)) }) {
                throw UsageError(
                    "--bootstrap-file '\(bootstrapFile)' names brokers at \(live) that accept connections, so "
                        + "another dev-cluster probably uses it; stop that cluster, or give another --bootstrap-file"
                )
            }
        }
        return Settings(brokers: brokers, topics: topics, bootstrapFile: bootstrapFile)
    }

    static func run(_ arguments: ParsedArguments) async throws -> Int32 {
        let settings = try settings(arguments)
        let brokers = settings.brokers
        let topics = settings.topics
        let bootstrapFile = settings.bootstrapFile
        // Locked before the cluster starts, so that of two clusters started together one exits.
        let lockedFile = try bootstrapFile.map { try BootstrapFile(path: $0) }

        // Ignore the default actions first, so a signal that arrives during start-up is queued
        // for the dispatch sources instead of killing the process.
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)

        let cluster = try MockCluster(brokers: brokers)
        for topic in topics {
            try cluster.createTopic(topic.name, partitions: topic.partitions)
        }
        print(cluster.bootstrapServers)
        fflush(nil)  // Flushes every output stream, so a parent process reads the line now.
        try lockedFile?.write(cluster.bootstrapServers)
        printError(
            "memestream dev-cluster: \(brokers) brokers at \(cluster.bootstrapServers)"
                + (topics.isEmpty
                    ? "" : ", topics " + topics.map { "\($0.name):\($0.partitions)" }.joined(separator: ", "))
                + "; stop with Ctrl-C or SIGTERM"
        )

        let received = await waitForTerminationSignal()
        if let bootstrapFile {
            // Only this cluster's file is removed: another process may have written the path since.
            let current = readBootstrapFile(bootstrapFile)
            if current == cluster.bootstrapServers {
                try? FileManager.default.removeItem(atPath: bootstrapFile)
            } else if current != nil {
                printError(
                    "memestream dev-cluster: left --bootstrap-file '\(bootstrapFile)' in place, because it no longer "
                        + "names this cluster's brokers"
                )
            }
        }
        printError("memestream dev-cluster: stopping on \(ShutdownSignal.name(of: received))")
        withExtendedLifetime(cluster) {}
        withExtendedLifetime(lockedFile) {}
        return 0
    }

    /// Returns the first line of a bootstrap file of at most 4 KiB without its line end, or `nil`
    /// when the file is missing, larger or not UTF-8.
    static func readBootstrapFile(_ path: String) -> String? {
        guard let bytes = try? SmallFile.read(path: path, limit: 4096) else { return nil }
        let line = bytes.prefix { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") }
        return String(validating: line, as: UTF8.self)
    }

    /// Parses `NAME:PARTITIONS`; the name uses Kafka's topic characters and the count is 1 to
    /// 10000.
    static func parseTopic(_ text: String) throws -> (name: String, partitions: Int) {
        guard let colon = text.lastIndex(of: ":") else {
            throw UsageError("invalid value '\(text)' for --topic: expected NAME:PARTITIONS, for example memes:8")
        }
        let name = String(text[..<colon])
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard !name.isEmpty, name.count <= 249, name.allSatisfy(allowed.contains), name != ".", name != ".." else {
            throw UsageError(
                "invalid topic name '\(name)' in --topic: use 1 to 249 of the characters a-z A-Z 0-9 . _ -"
            )
        }
        let partitions = try OptionValues.integer(
            String(text[text.index(after: colon)...]),
            option: "topic",
            range: 1...10_000
        )
        return (name, Int(partitions))
    }

    /// Waits for SIGINT or SIGTERM and returns the signal number.
    private static func waitForTerminationSignal() async -> Int32 {
        let queue = DispatchQueue(label: "memestream.dev-cluster.signals")
        let sources = [SIGINT, SIGTERM].map { DispatchSource.makeSignalSource(signal: $0, queue: queue) }
        defer {
            for source in sources { source.cancel() }
        }
        return await withCheckedContinuation { continuation in
            // The queue is serial, so `resumed` is only touched there; it keeps a second signal
            // from resuming the continuation twice.
            nonisolated(unsafe) var resumed = false
            for (source, number) in zip(sources, [SIGINT, SIGTERM]) {
                source.setEventHandler {
                    guard !resumed else { return }
                    resumed = true
                    continuation.resume(returning: number)
                }
                source.resume()
            }
        }
    }
}
