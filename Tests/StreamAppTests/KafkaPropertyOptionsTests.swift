import KafkaBridge
import Testing

@testable import StreamApp

/// Returns the librdkafka properties that `replay --input-topic t -b h:1 ARGUMENTS` reads.
private func replayProperties(_ arguments: [String]) throws -> [String: String] {
    let parsed = try ParsedArguments(
        ["--input-topic", "t", "-b", "h:1"] + arguments,
        specs: ReplayOptions.specs,
        command: "replay"
    )
    return try ReplayOptions(parsed).kafkaProperties
}

/// `-F` and `-X` as `replay` and `generate` read them, and the checks `run` shares with them.
@Suite struct KafkaPropertyOptionsTests {
    private func generateProperties(_ arguments: [String]) throws -> [String: String] {
        let parsed = try ParsedArguments(arguments, specs: GenerateCommand.options, command: "generate")
        return try GenerateCommand.kafkaProperties(from: parsed)
    }

    /// `replay` and `generate` read `-F` files as `run` does: a leading byte order mark, `!`
    /// comments, Windows line ends and values that contain `=`.
    @Test func propertiesFileReadsAsInRun() throws {
        let scratch = try ReplayScratchDirectory()
        let text =
            "\u{FEFF}fetch.wait.max.ms=5\r\n! a Java-style comment\r\nlinger.ms = 7\r\nsasl.jaas.config=a=b=c\r\n"
        let path = try scratch.write("client.properties", text)
        let expected = ["fetch.wait.max.ms": "5", "linger.ms": "7", "sasl.jaas.config": "a=b=c"]
        #expect(try replayProperties(["-F", path]) == expected)
        #expect(try generateProperties(["-F", path]) == expected)
    }

    /// A byte order mark in a value (two files joined with cat) reached librdkafka unseen, as part
    /// of a host name or a number.
    @Test func invisibleFileValueNamed() throws {
        let scratch = try ReplayScratchDirectory()
        let path = try scratch.write("joined.properties", "acks=all\nclient.id=\u{FEFF}worker\n")
        for read in [replayProperties, generateProperties] {
            let error = try #require(throws: UsageError.self) { try read(["-F", path]) }
            #expect(
                error.message.contains(
                    "invalid line 2 in librdkafka properties file (-F) '\(path)': the value of 'client.id' contains "
                        + "the invisible character U+FEFF"
                ),
                "\(error)"
            )
        }
    }

    @Test(arguments: ["linger.ms=\u{200B}5", "client.id=a\u{0}b", "\u{FEFF}linger.ms=5"])
    func invisibleCharacterInFlagIsNamed(pair: String) throws {
        for read in [replayProperties, generateProperties] {
            let error = try #require(throws: UsageError.self) { try read(["-X", pair]) }
            #expect(error.message.contains("(from -X)"), "\(error)")
            #expect(error.message.contains("the invisible character U+"), "\(error)")
        }
        let run = try #require(throws: UsageError.self) {
            try WorkerConfiguration.load(commandLine: ["-b", "h:1", "-X", pair], environment: [:])
        }
        #expect(run.message.contains("the invisible character U+"), "\(run)")
    }

    /// A value that starts with a combining mark made the '=' and the mark one character, and the
    /// line read as one without '='; a combining mark is a visible part of the value.
    @Test func combiningMarkStaysInValue() throws {
        let scratch = try ReplayScratchDirectory()
        let path = try scratch.write("c.properties", "client.id=\u{301}x\n")
        #expect(try replayProperties(["-F", path]) == ["client.id": "\u{301}x"])
    }

    /// A flag of a region is a black flag followed by tag characters, which are format characters.
    @Test func flagOfARegionIsAllowed() throws {
        let flag = "\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}"
        #expect(try replayProperties(["-X", "client.id=" + flag])["client.id"] == flag)
    }

    /// Emoji and some scripts need the zero width joiners, so they stay allowed.
    @Test func joinersAreAllowed() throws {
        let family = "client.id=\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}"
        #expect(try replayProperties(["-X", family])["client.id"] == "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}")
    }

    @Test func variableValueIsChecked() throws {
        let error = try #require(throws: UsageError.self) {
            try WorkerConfiguration.load(
                commandLine: ["-b", "h:1"],
                environment: ["MEMESTREAM_KAFKA_PROPERTY_CLIENT_ID": "w\u{FEFF}"]
            )
        }
        #expect(error.message.contains("environment variable MEMESTREAM_KAFKA_PROPERTY_CLIENT_ID"), "\(error)")
        #expect(error.message.contains("U+FEFF"), "\(error)")
    }

    /// `generate -b` ignored a `metadata.broker.list` that named other brokers.
    @Test(arguments: ["metadata.broker.list", "bootstrap.servers"])
    func generateRejectsOtherBrokers(name: String) throws {
        let error = try #require(throws: UsageError.self) {
            try generateProperties(["--bootstrap-servers", "a:1", "-X", name + "=b:2"])
        }
        #expect(error.message.contains("conflicting bootstrap servers"), "\(error)")
        #expect(try generateProperties(["--bootstrap-servers", "a:1", "-X", name + "=a:1"]) == [name: "a:1"])
    }

    /// `generate -b ""` (a bootstrap file that was missing) failed after a 10 s metadata wait.
    @Test(arguments: ["", "a:1,", "a:1, b:2", "a:0", "a:65536", ":9092", "SSL://", "SSL://:9093"])
    func generateRejectsMalformedServerList(servers: String) throws {
        let error = try #require(throws: UsageError.self) { try generateProperties(["--bootstrap-servers", servers]) }
        #expect(error.message.contains("invalid value '\(servers)' for --bootstrap-servers"), "\(error)")
    }

    @Test(arguments: [
        "broker1", "SSL://h:9093", "[::1]:9092", "[::1]", "h:1,h2:65535", "127.0.0.1:9092", "PLAINTEXT://127.0.0.1",
        "SSL://localhost", "::1",
    ])
    func validServerListIsAccepted(servers: String) throws {
        try KafkaPropertyOptions.checkServerList(servers, source: "--bootstrap-servers")
    }

    /// `generate --output-file o.jsonl -X client.id=x` exited 0 and ignored the property.
    @Test(arguments: [["-X", "client.id=x"], ["-F", "client.properties"]])
    func generateFileRejectsKafkaOptions(extra: [String]) throws {
        let parsed = try ParsedArguments(
            ["--output-file", "o.jsonl"] + extra,
            specs: GenerateCommand.options,
            command: "generate"
        )
        let error = try #require(throws: UsageError.self) { try GenerateCommand.checkKafkaOptionsApply(parsed) }
        #expect(error.message.contains("applies only to a topic destination"), "\(error)")
    }

    @Test func missingFileIsNamed() throws {
        let error = try #require(throws: UsageError.self) { try replayProperties(["-F", "/nonexistent/x.properties"]) }
        #expect(error.message.contains("'/nonexistent/x.properties'"), "\(error)")
    }
}

/// librdkafka's aliases: two spellings of one property used to be applied in name order, so
/// `-X queue.buffering.max.ms=100 -X linger.ms=5` ran with 100.
@Suite struct KafkaPropertyAliasTests {
    @Test func laterSpellingWins() throws {
        #expect(
            try replayProperties(["-X", "queue.buffering.max.ms=100", "-X", "linger.ms=5"]) == ["linger.ms": "5"]
        )
        #expect(
            try replayProperties(["-X", "linger.ms=5", "-X", "topic.request.required.acks=all", "-X", "acks=1"])
                == ["linger.ms": "5", "acks": "1"]
        )
    }

    @Test func laterSourceWinsOverOtherSpelling() throws {
        let scratch = try ReplayScratchDirectory()
        let config = try scratch.write("run.conf", "kafka.queue.buffering.max.ms = 100\n")
        let configuration = try WorkerConfiguration.load(
            commandLine: ["-b", "h:1", "--config", config, "-X", "linger.ms=5"],
            environment: [:]
        )
        #expect(configuration.kafkaProperties == ["linger.ms": "5"])
    }

    @Test func twoVariablesForOneAliasAreRejected() throws {
        let error = try #require(throws: UsageError.self) {
            try WorkerConfiguration.load(
                commandLine: ["-b", "h:1"],
                environment: [
                    "MEMESTREAM_KAFKA_PROPERTY_LINGER_MS": "5",
                    "MEMESTREAM_KAFKA_PROPERTY_QUEUE_BUFFERING_MAX_MS": "100",
                ]
            )
        }
        #expect(error.message.contains("MEMESTREAM_KAFKA_PROPERTY_LINGER_MS"), "\(error)")
        #expect(error.message.contains("MEMESTREAM_KAFKA_PROPERTY_QUEUE_BUFFERING_MAX_MS"), "\(error)")
        #expect(error.message.contains("'linger.ms'"), "\(error)")
    }

    @Test func fixedPropertyIsFoundUnderEverySpelling() throws {
        for pair in ["request.required.acks=0", "topic.acks=0", "topic.request.required.acks=0"] {
            let error = try #require(throws: UsageError.self) {
                try WorkerConfiguration.load(commandLine: ["-b", "h:1", "-X", pair], environment: [:])
            }
            #expect(error.message.contains("invalid librdkafka property '\(pair)'"), "\(error)")
        }
    }
}

/// Log lines and last-line messages show errors through `errorText`, without Swift type names.
@Suite struct ErrorTextTests {
    @Test func kafkaErrorHasNoSourceLocation() throws {
        var configuration = KafkaConfiguration(bootstrapServers: "127.0.0.1:1")
        configuration.properties = ["no.such.property": "1"]
        let error = try #require(throws: KafkaBridgeError.self) { try KafkaProducer(configuration: configuration) }
        let text = errorText(error)
        #expect(text.contains("no.such.property"), "\(text)")
        #expect(!text.contains("KafkaBridgeError("), "\(text)")
        #expect(!text.contains(".swift:"), "\(text)")
    }
}
