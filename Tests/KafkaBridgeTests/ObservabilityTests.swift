import KafkaBridge
import Testing

/// librdkafka log lines and statistics reach the configured callbacks.
@Suite struct ObservabilityTests {
    @Test func logLinesReachHandlerWithFacility() async throws {
        let cluster = try MockCluster(brokers: 1)
        let lines = Recorder<String>()
        var configuration = KafkaTestSupport.configuration(cluster)
        configuration.properties["debug"] = "broker"
        configuration.logHandler = { level, facility, message in
            lines.append("\(level) \(facility) \(message)")
        }
        let producer = try KafkaProducer(configuration: configuration)
        #expect(await KafkaTestSupport.waitUntil { lines.values.contains { $0.hasPrefix("debug ") } })
        #expect(lines.values.allSatisfy { $0.split(separator: " ").count >= 2 })
        try producer.close(timeout: .seconds(5))
    }

    @Test func statisticsReachHandler() async throws {
        let cluster = try MockCluster(brokers: 1)
        let documents = Recorder<String>()
        var configuration = KafkaTestSupport.configuration(cluster)
        configuration.statisticsIntervalMilliseconds = 100
        configuration.statisticsHandler = { documents.append($0) }
        let producer = try KafkaProducer(configuration: configuration)
        #expect(await KafkaTestSupport.waitUntil { documents.count >= 2 })
        let first = try #require(documents.values.first)
        #expect(first.hasPrefix("{"))
        #expect(first.contains("\"brokers\""))
        try producer.close(timeout: .seconds(5))
    }

    @Test func consumerStatisticsArriveThroughPoll() throws {
        let cluster = try MockCluster(brokers: 1)
        let documents = Recorder<String>()
        var configuration = KafkaTestSupport.configuration(cluster)
        configuration.statisticsIntervalMilliseconds = 100
        configuration.statisticsHandler = { documents.append($0) }
        let consumer = try KafkaConsumer(configuration: configuration)
        #expect(try KafkaTestSupport.pollUntil([consumer]) { documents.count >= 1 })
        try consumer.close()
    }
}
