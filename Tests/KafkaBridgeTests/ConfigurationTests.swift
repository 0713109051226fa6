import Testing

@testable import KafkaBridge

@Suite struct ConfigurationTests {
    @Test func consumerPropertiesRenderInFull() {
        var configuration = KafkaConfiguration(bootstrapServers: "127.0.0.1:9092")
        configuration.properties = ["security.protocol": "plaintext", "session.timeout.ms": "7000"]
        let rendered = configuration.renderedProperties(for: .consumer)
        let expected: [String] = [
            "bootstrap.servers=127.0.0.1:9092",
            "client.id=memestream",
            "statistics.interval.ms=0",
            "group.id=memestream",
            "auto.offset.reset=earliest",
            "enable.auto.commit=false",
            "auto.commit.interval.ms=5000",
            "enable.auto.offset.store=false",
            "session.timeout.ms=45000",
            "heartbeat.interval.ms=3000",
            "max.poll.interval.ms=300000",
            "partition.assignment.strategy=cooperative-sticky",
            "fetch.wait.max.ms=500",
            "queued.min.messages=100000",
            "enable.partition.eof=false",
            "isolation.level=read_committed",
            "security.protocol=plaintext",
            "session.timeout.ms=7000",
        ]
        #expect(rendered.map { "\($0.key)=\($0.value)" } == expected)
    }

    @Test func producerPropertiesRenderInFull() {
        let configuration = KafkaConfiguration(bootstrapServers: "127.0.0.1:9092")
        let rendered = configuration.renderedProperties(for: .producer)
        let expected: [String] = [
            "bootstrap.servers=127.0.0.1:9092",
            "client.id=memestream",
            "statistics.interval.ms=0",
            "enable.idempotence=true",
            "acks=all",
            "linger.ms=5",
            "compression.type=none",
            "partitioner=murmur2_random",
            "queue.buffering.max.messages=100000",
            "message.timeout.ms=300000",
            "message.max.bytes=1000000",
            "delivery.report.only.error=false",
        ]
        #expect(rendered.map { "\($0.key)=\($0.value)" } == expected)
    }

    @Test func unknownPropertyNameIsRejected() throws {
        var configuration = KafkaConfiguration(bootstrapServers: "127.0.0.1:1")
        configuration.properties = ["no.such.property": "1"]
        let error = try #require(throws: KafkaBridgeError.self) { try KafkaProducer(configuration: configuration) }
        #expect(error.code == .configuration)
        #expect(error.message.contains("'no.such.property'"))
    }

    @Test func invalidPropertyValueIsRejected() throws {
        var configuration = KafkaConfiguration(bootstrapServers: "127.0.0.1:1")
        configuration.properties = ["session.timeout.ms": "soon"]
        let error = try #require(throws: KafkaBridgeError.self) { try KafkaConsumer(configuration: configuration) }
        #expect(error.code == .configuration)
        #expect(error.message.contains("'session.timeout.ms'"))
        #expect(error.message.contains("'soon'"))
    }

    @Test func invalidTypedSettingIsRejected() throws {
        var configuration = KafkaConfiguration(bootstrapServers: "127.0.0.1:1")
        configuration.producer.partitioner = "alphabetical"
        let error = try #require(throws: KafkaBridgeError.self) { try KafkaProducer(configuration: configuration) }
        #expect(error.message.contains("'partitioner'"))
    }

    @Test(arguments: [
        ("sasl.password", true), ("ssl.key.password", true), ("sasl.oauthbearer.client.secret", true),
        ("SSL.KEYSTORE.PASSWORD", true), ("ssl.key.pem", true), ("sasl.username", false),
        ("bootstrap.servers", false),
    ])
    func secretPropertiesAreRecognised(name: String, isSecret: Bool) {
        #expect(KafkaConfiguration.isSecret(property: name) == isSecret)
    }

    @Test func secretValuesAreRedacted() {
        var configuration = KafkaConfiguration(bootstrapServers: "127.0.0.1:1")
        configuration.properties = ["sasl.password": "hunter2", "sasl.username": "alice"]
        let callbacks = RDKafkaCallbacks(configuration: configuration)
        #expect(callbacks.redact("login alice:hunter2 failed") == "login alice:[redacted] failed")
    }

    @Test func secretValueNeverReachesLogs() async throws {
        let lines = Recorder<String>()
        var configuration = KafkaConfiguration(bootstrapServers: "127.0.0.1:1")
        configuration.properties = ["sasl.password": "hunter2-secret-value", "debug": "conf,generic"]
        configuration.logHandler = { _, _, message in lines.append(message) }
        let producer = try KafkaProducer(configuration: configuration)
        #expect(await KafkaTestSupport.waitUntil(timeout: .seconds(10)) { lines.count > 0 })
        try? producer.close(timeout: .milliseconds(100))
        #expect(!lines.values.contains { $0.contains("hunter2-secret-value") })
    }

    @Test(arguments: [
        (Int32(0), KafkaLogLevel.critical), (1, .critical), (2, .critical), (3, .error), (4, .warning),
        (5, .notice), (6, .info), (7, .debug),
    ])
    func syslogLevelsMapToLogLevels(syslog: Int32, level: KafkaLogLevel) {
        #expect(KafkaLogLevel(syslogLevel: syslog) == level)
    }
}
