import StreamCore
import Synchronization
import Testing

@Suite struct LoggingTests {
    @Test func levelsAreOrderedBySeverity() {
        let ordered: [LogLevel] = [.trace, .debug, .info, .notice, .warning, .error, .critical]
        #expect(LogLevel.allCases == ordered)
        for (lower, higher) in zip(ordered, ordered.dropFirst()) {
            #expect(lower < higher)
        }
    }

    @Test func disabledLevelNeverBuildsMessage() {
        let handler = InMemoryLogHandler()
        let logger = Logger(label: "test", level: .info, handler: handler)
        let built = Atomic<Int>(0)
        func message() -> String {
            built.add(1, ordering: .relaxed)
            return "built"
        }

        logger.debug(message())
        logger.trace(message(), metadata: ["k": "\(message())"])
        #expect(built.load(ordering: .relaxed) == 0)
        #expect(handler.entries.isEmpty)

        logger.info(message())
        #expect(built.load(ordering: .relaxed) == 1)
        #expect(handler.entries.count == 1)
    }

    @Test(arguments: LogLevel.allCases)
    func loggerPassesLevelsAtOrAboveMinimum(minimum: LogLevel) {
        let handler = InMemoryLogHandler()
        let logger = Logger(label: "test", level: minimum, handler: handler)
        for level in LogLevel.allCases {
            logger.log(level: level, "entry")
        }
        #expect(handler.entries.map(\.level) == LogLevel.allCases.filter { $0 >= minimum })
    }

    @Test func copiesHaveIndependentLevelAndMetadata() {
        let handler = InMemoryLogHandler()
        var original = Logger(label: "test", handler: handler)
        original[metadataKey: LogKey.kafkaTopic] = "memes.events"
        var copy = original
        copy.logLevel = .trace
        copy[metadataKey: LogKey.kafkaPartition] = 3

        #expect(original.logLevel == .info)
        #expect(original.metadata == [LogKey.kafkaTopic: "memes.events"])
        #expect(copy.metadata[LogKey.kafkaPartition] == .integer(3))
    }

    @Test func callMetadataOverridesLoggerMetadata() throws {
        let handler = InMemoryLogHandler()
        var logger = Logger(label: "worker", handler: handler)
        logger[metadataKey: LogKey.kafkaPartition] = 1
        logger[metadataKey: LogKey.kafkaTopic] = "in"

        logger.info("rejected", metadata: [LogKey.kafkaPartition: 2, LogKey.kafkaOffset: 17])

        let entry = try #require(handler.entries.first)
        #expect(entry.label == "worker")
        #expect(entry.message == "rejected")
        #expect(entry.metadata == [LogKey.kafkaPartition: 2, LogKey.kafkaOffset: 17, LogKey.kafkaTopic: "in"])
        #expect(entry.file.hasSuffix("LoggingTests.swift"))
        #expect(entry.line > 0)
    }

    @Test func discardingLoggerDropsEverything() {
        let logger = Logger.discarding
        #expect(!logger.isEnabled(.error))
        #expect(logger.isEnabled(.critical))
        logger.critical("dropped")
    }
}
