import Glibc
import StreamCore
import Testing

@testable import StreamApp

@Suite struct ReplayOptionsTests {
    private func parse(_ arguments: [String]) throws -> ReplayOptions {
        try ReplayOptions(ParsedArguments(arguments, specs: ReplayOptions.specs, command: "replay"))
    }

    @Test func defaultsMatchEngineDefaults() throws {
        let options = try parse(["--input-file", "in.jsonl"])
        #expect(options.inputFormat == .events)
        #expect(options.outputFile == nil)
        #expect(options.tickMilliseconds == 10_000)
        #expect(options.outOfOrdernessMilliseconds == 5_000)
        #expect(options.allowedLatenessMilliseconds == 600_000)
        #expect(options.maxEventBytes == 65_536)
        #expect(options.maxFutureSkewMilliseconds == 60_000)
        #expect(options.maximumLineBytes >= 16 << 20)
    }

    @Test func everyOptionIsRead() throws {
        let options = try parse([
            "--input-file", "in.jsonl.zst", "--input-format", "kcat", "--output-file", "out.jsonl.zst",
            "--from", "2023-11-15T00:00:00Z", "--to", "1700092800000", "--feature-set", "fs.json",
            "--rejections-file", "rej.jsonl", "--tick", "1m", "--out-of-orderness", "2s",
            "--allowed-lateness", "1h", "--max-event-bytes", "1024", "--max-future-skew", "0",
        ])
        #expect(options.inputFile == "in.jsonl.zst")
        #expect(options.inputFormat == .kcat)
        #expect(options.outputFile == "out.jsonl.zst")
        #expect(options.from == EventTime(milliseconds: 1_700_006_400_000))
        #expect(options.to == EventTime(milliseconds: 1_700_092_800_000))
        #expect(options.featureSetFile == "fs.json")
        #expect(options.rejectionsFile == "rej.jsonl")
        #expect(options.tickMilliseconds == 60_000)
        #expect(options.outOfOrdernessMilliseconds == 2_000)
        #expect(options.allowedLatenessMilliseconds == 3_600_000)
        #expect(options.maxEventBytes == 1024)
        #expect(options.maxFutureSkewMilliseconds == 0)
    }

    @Test(arguments: [
        (["--input-file", "a", "--input-format", "csv"], "--input-format"),
        (["--input-file", "a", "--from", "yesterday"], "--from"),
        (["--input-file", "a", "--to", "2023-13-01T00:00:00Z"], "--to"),
        (["--input-file", "a", "--from", "1700000010000", "--to", "1700000000000"], "--from"),
        (["--input-file", "a", "--tick", "0"], "--tick"),
        (["--input-file", "a", "--tick", "ten"], "--tick"),
        (["--input-file", "a", "--max-event-bytes", "-1"], "--max-event-bytes"),
        (["--output-file", "b"], "--input-file"),
        (["--input-file", "a", "stray"], "stray"),
        (["--input-file", "a", "--output-file", "a"], "--output-file"),
        (["--input-file", "a", "--input-topic", "t", "-b", "localhost:9092"], "--input-topic"),
        (["--input-topic", "t"], "--bootstrap-servers"),
        (["--input-file", "a", "-X", "novalue"], "-X"),
        (["--input-file", "a", "--rejections-file", "-"], "--rejections-file -"),
        (["--input-file", "a", "--output-file", "-", "--rejections-file", "-"], "--rejections-file -"),
    ])
    func invalidOptionIsUsageError(arguments: [String], named: String) throws {
        let error = try #require(throws: UsageError.self) { try parse(arguments) }
        #expect(error.message.contains(named), "message: \(error.message)")
    }

    /// Writing a device or standard output destroys nothing, so it may also be the input.
    @Test(arguments: [
        ["--input-file", "/dev/null", "--output-file", "/dev/null"],
        ["--input-file", "-", "--output-file", "-"],
        ["--input-file", "a", "--output-file", "/dev/null", "--rejections-file", "/dev/null"],
    ])
    func deviceAsInputAndOutputIsAccepted(arguments: [String]) throws {
        #expect(throws: Never.self) { try parse(arguments) }
    }

    @Test(arguments: [
        ("2026-01-01T00:30:00", "it needs an offset: 'Z' or +HH:MM or -HH:MM"),
        ("2026-01-01T00:30:00.5", "it needs an offset: 'Z' or +HH:MM or -HH:MM"),
        ("2023-13-01T00:00:00Z", "it has month 13, outside 01–12"),
        ("2023-11-15 00:00:00Z", "it needs 'T' between date and time"),
        ("0000-01-01T00:00:00Z", "it is outside 1970-01-01T00:00:00Z to 2286-11-20T17:46:39.999Z"),
        ("9999-12-31T23:59:59Z", "it is outside 1970-01-01T00:00:00Z"),
    ])
    func dateLikeTimeNamesParserReason(text: String, reason: String) throws {
        let error = try #require(throws: UsageError.self) { try TimeArgument.parse(text, option: "from") }
        #expect(error.message.contains("invalid time '\(text)' for --from: \(reason)"), "message: \(error.message)")
        #expect(error.message.contains("2023-11-15T00:00:00Z"), "message: \(error.message)")
    }

    @Test(arguments: [
        ("1700006400000", Int64(1_700_006_400_000)),
        ("2023-11-15T00:00:00Z", 1_700_006_400_000),
        ("2023-11-15t00:00:00z", 1_700_006_400_000),
        ("2023-11-15T01:00:00+01:00", 1_700_006_400_000),
        ("2023-11-14T19:30:00-04:30", 1_700_006_400_000),
        ("2023-11-15T00:00:00.1Z", 1_700_006_400_100),
        ("2023-11-15T00:00:00.123456Z", 1_700_006_400_123),
        ("2024-02-29T00:00:00Z", 1_709_164_800_000),
        ("1970-01-01T00:00:00Z", 0),
    ])
    func timeArgumentForms(text: String, milliseconds: Int64) throws {
        #expect(try TimeArgument.parse(text, option: "from") == EventTime(milliseconds: milliseconds))
    }

    @Test(arguments: [
        "", "-5", "17e11", "2023-11-15", "2023-11-15T00:00:00", "2023-02-29T00:00:00Z",
        "2023-11-15T24:00:00Z", "2023-11-15T00:00:00.Z", "2023-11-15T00:00:00+0100", "2023-11-15 00:00:00Z",
    ])
    func timeArgumentRejectsOtherForms(text: String) throws {
        let error = try #require(throws: UsageError.self) { try TimeArgument.parse(text, option: "to") }
        #expect(error.message.contains("--to"))
    }
}

/// Outputs that are a file the run reads, or each other, under spellings the path check missed.
@Suite struct ReplayOutputIdentityTests {
    private func parse(_ arguments: [String]) throws -> ReplayOptions {
        try ReplayOptions(ParsedArguments(arguments, specs: ReplayOptions.specs, command: "replay"))
    }

    @Test func outputOverFeatureSetOrPropertiesFileIsRejected() throws {
        let scratch = try ReplayScratchDirectory()
        let featureSet = try scratch.write("fs.json", "{}")
        let properties = try scratch.write("keep.props", "linger.ms=5\n")
        let input = try scratch.write("in.jsonl", "")
        let topic = ["--input-topic", "t", "-b", "h:1"]
        for (extra, message) in [
            (
                ["--input-file", input, "--feature-set", featureSet, "--output-file", featureSet],
                "is the --feature-set file"
            ),
            (topic + ["-F", properties, "--output-file", scratch.file("./keep.props")], "is the -F properties file"),
            (
                ["--input-file", input, "--feature-set", featureSet, "--rejections-file", featureSet],
                "is the --feature-set file"
            ),
        ] {
            let error = try #require(throws: UsageError.self) { try parse(extra) }
            #expect(error.description.contains(message), "\(error)")
        }
    }

    /// `-F` is repeatable, as in `run`, and a later file wins.
    @Test func laterPropertiesFileWins() throws {
        let scratch = try ReplayScratchDirectory()
        let first = try scratch.write("a.props", "linger.ms=5\nacks=all\n")
        let second = try scratch.write("b.props", "linger.ms=7\n")
        let options = try parse(["--input-topic", "t", "-b", "h:1", "-F", first, "--kafka-properties-file", second])
        #expect(options.kafkaProperties["linger.ms"] == "7")
        #expect(options.kafkaProperties["acks"] == "all")
    }

    /// Options of the other input kind used to be ignored in silence.
    @Test(arguments: [
        (["--input-file", "in.jsonl", "-b", "h:1"], "--bootstrap-servers applies only to --input-topic"),
        (["--input-file", "in.jsonl", "--warmup", "1h"], "--warmup applies only to --input-topic"),
        (["--input-file", "in.jsonl", "-X", "linger.ms=5"], "--property applies only to --input-topic"),
        (["--input-topic", "t", "-b", "h:1", "--input-format", "kcat"], "--input-format applies only to --input-file"),
        (["--input-topic", "t", "-b", "h:1", "-X", "bootstrap.servers=g:2"], "conflicting bootstrap servers"),
        (["--input-topic", "t", "-b", "h:1", "-X", "metadata.broker.list=g:2"], "metadata.broker.list=g:2 differs"),
        (["--input-topic", "t", "-b", ""], "--input-topic needs --bootstrap-servers HOST:PORT"),
    ])
    func optionOfTheOtherInputIsUsageError(arguments: [String], message: String) throws {
        let error = try #require(throws: UsageError.self) { try parse(arguments) }
        #expect(error.description.contains(message), "\(error)")
    }

    /// A dangling symbolic link to the other output: `open` follows it and creates the file.
    @Test func danglingLinkToTheOtherOutputIsRejected() throws {
        let scratch = try ReplayScratchDirectory()
        let input = try scratch.write("in.jsonl", "")
        #expect(symlink("o.y", scratch.file("dangling")) == 0)
        for (output, rejections) in [("o.y", "dangling"), ("dangling", "o.y")] {
            let error = try #require(throws: UsageError.self) {
                try parse([
                    "--input-file", input, "--output-file", scratch.file(output), "--rejections-file",
                    scratch.file(rejections),
                ])
            }
            #expect(error.description.contains("is the --output-file"), "\(error)")
        }
    }

    /// Neither file exists yet, so no identity can be read; their absolute names are equal.
    @Test func outputsThatDoNotExistYetAreCompared() throws {
        let scratch = try ReplayScratchDirectory()
        let input = try scratch.write("in.jsonl", "")
        let error = try #require(throws: UsageError.self) {
            try parse([
                "--input-file", input, "--output-file", scratch.file("o.y"),
                "--rejections-file", scratch.path + "/./o.y",
            ])
        }
        #expect(error.description.contains("is the --output-file"), "\(error)")
        _ = try parse([
            "--input-file", input, "--output-file", scratch.file("o.y"), "--rejections-file", scratch.file("r.y"),
        ])
    }
}
