import Foundation
import StreamCore
import Testing

/// `memestream replay` run as a subprocess on bad input: each failure has a clear message and
/// the right exit status, and records from good lines are never lost.
@Suite struct ReplayCommandLineTests {
    static let goodEvents = [
        #"{"meme_id":"m1","type":"view","ts":1700006401000}"#,
        #"{"meme_id":"m1","type":"view","ts":1700006402000}"#,
        #"{"meme_id":"m1","type":"like","ts":1700006415000}"#,
        #"{"meme_id":"m1","type":"view","ts":1700006430000}"#,
    ]

    @Test func missingInputFileExitsOne() throws {
        let scratch = try ReplayScratchDirectory()
        let path = scratch.file("absent.jsonl")
        let result = try runMemestream(["replay", "--input-file", path, "--output-file", scratch.file("out.jsonl")])
        #expect(result.status == 1)
        #expect(result.standardError.contains(path))
        #expect(result.standardError.contains("No such file"))
        // Nothing was read, so no summary of zeros precedes the error.
        #expect(!result.standardError.contains("wrote 0 records"), "stderr: \(result.standardError)")
    }

    @Test func summaryCountsKeysDroppedBeforeEnd() throws {
        let scratch = try ReplayScratchDirectory()
        let events = (0..<3).map { #"{"meme_id":"k\#($0)","type":"view","ts":1700006401000}"# }
        let input = try scratch.write("in.jsonl", events.joined(separator: "\n"))
        // `--to` two days later drops every key before the summary is printed.
        let result = try runMemestream([
            "replay", "--input-file", input, "--output-file", scratch.file("out.jsonl"), "--to", "1700179201000",
        ])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        #expect(result.standardError.contains("largest number of keys in state: 3"), "stderr: \(result.standardError)")
        #expect(result.standardError.contains("3 tombstones"), "stderr: \(result.standardError)")
    }

    /// Replay processed records keyed by another id without counting or reporting them.
    @Test func summaryCountsKeyMismatches() throws {
        let scratch = try ReplayScratchDirectory()
        let lines = [("m1", "m1", 0), ("m2", "m1", 1), ("u7", "m1", 2)].map { key, meme, offset in
            let payload = #"{\"meme_id\":\"\#(meme)\",\"type\":\"view\",\"ts\":1700000000000}"#
            return #"{"partition":0,"offset":\#(offset),"ts":1700000000000,"key":"\#(key)","payload":"\#(payload)"}"#
        }
        let input = try scratch.write("in.jsonl", lines.joined(separator: "\n"))
        let result = try runMemestream([
            "replay", "--input-format", "kcat", "--input-file", input, "--output-file", scratch.file("out.jsonl"),
        ])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        #expect(
            result.standardError.contains("2 accepted records carried a record key other than the event's meme_id"),
            "stderr: \(result.standardError)"
        )
    }

    @Test func unreadableInputExitsOne() throws {
        let scratch = try ReplayScratchDirectory()
        // A directory cannot be read as a file, even by root.
        let result = try runMemestream([
            "replay", "--input-file", scratch.path, "--output-file", scratch.file("out.jsonl"),
        ])
        #expect(result.status == 1)
        #expect(result.standardError.contains(scratch.path))
        #expect(result.standardError.contains("directory"))
    }

    @Test(arguments: [
        (["--input-format", "csv"], "--input-format"),
        (["--from", "last tuesday"], "--from"),
        (["--to", "2023-11-15T00:00:00"], "--to"),
        (["--tick", "-3s"], "--tick"),
        (["--bogus", "1"], "--bogus"),
    ])
    func usageErrorExitsTwo(extra: [String], flag: String) throws {
        let scratch = try ReplayScratchDirectory()
        let input = try scratch.write("in.jsonl", Self.goodEvents.joined(separator: "\n"))
        let result = try runMemestream(["replay", "--input-file", input] + extra)
        #expect(result.status == 2)
        #expect(result.standardError.contains(flag), "stderr: \(result.standardError)")
    }

    @Test func truncatedZstdWritesGoodRecordsAndExitsOne() throws {
        let scratch = try ReplayScratchDirectory()
        // Enough events (one per second) that the first half of the file closes many ticks.
        let events = (0..<20_000).map {
            "{\"meme_id\":\"m\($0 % 7)\",\"type\":\"view\",\"ts\":\(1_700_006_400_000 + Int64($0) * 1000)}"
        }
        let compressed = try Zstd.compress(Array(events.joined(separator: "\n").utf8))
        let input = try scratch.write("in.jsonl.zst", bytes: Array(compressed.prefix(compressed.count / 2)))
        let output = scratch.file("out.jsonl")
        let result = try runMemestream(["replay", "--input-file", input, "--output-file", output])

        #expect(result.status == 1)
        #expect(result.standardError.contains(input))
        #expect(result.standardError.contains("byte offset \(compressed.count / 2)"))
        #expect(result.standardError.contains("truncated"))
        let written = try readLines(output)
        #expect(written.count > 100, "records from the good lines must be written")
    }

    @Test func failedWriteSummaryDoesNotClaimWrites() throws {
        let scratch = try ReplayScratchDirectory()
        let events = (0..<20_000).map {
            "{\"meme_id\":\"m\($0 % 7)\",\"type\":\"view\",\"ts\":\(1_700_006_400_000 + Int64($0) * 1000)}"
        }
        let input = try scratch.write("in.jsonl", events.joined(separator: "\n"))
        let result = try runMemestream(["replay", "--input-file", input, "--output-file", "/dev/full"])
        #expect(result.status == 1, "stderr: \(result.standardError)")
        #expect(result.standardError.contains("stopped after handing"), "stderr: \(result.standardError)")
        #expect(!result.standardError.contains("memestream replay: wrote"), "stderr: \(result.standardError)")
    }

    /// Started with standard input or output closed (`<&-`, `>&-`), replay used to fail with
    /// "read failed: Invalid argument (errno 22)" on the runtime's descriptor that took the number.
    @Test(arguments: [
        ("--input-file - <&-", "standard input"),
        ("--input-file IN >&-", "standard output"),
    ])
    func closedStandardStreamIsNamed(redirection: String, stream: String) throws {
        let scratch = try ReplayScratchDirectory()
        let input = try scratch.write("in.jsonl", #"{"meme_id":"m1","type":"view","ts":1700000000000}"# + "\n")
        let command = "exec \"$0\" replay " + redirection.replacingOccurrences(of: "IN", with: "\"$1\"")
        let result = try runMemestream(
            via: "/bin/sh",
            ["-c", command, ReplayTestPaths.binary, input]
        )
        #expect(result.status == 1, "stderr: \(result.standardError)")
        #expect(
            result.standardError.contains("\(stream) was closed when the command started"),
            "\(result.standardError)"
        )
    }

    /// Standard input or output redirected from or to the other file: the path check alone let
    /// `--input-file - --output-file ev.jsonl < ev.jsonl` empty the input and exit 0.
    @Test(arguments: [
        "--input-file - --output-file \"$1\" < \"$1\"",
        "--input-file \"$1\" > \"$1.out\" --rejections-file /dev/stdout",
        "--input-file \"$1\" --output-file /dev/stdout > \"$1\"",
    ])
    func redirectedStandardStreamIsCompared(command: String) throws {
        let scratch = try ReplayScratchDirectory()
        let line = #"{"meme_id":"m1","type":"view","ts":1700000000000}"# + "\n"
        let input = try scratch.write("ev.jsonl", line)
        let result = try runMemestream(
            via: "/bin/sh",
            ["-c", "exec \"$0\" replay " + command, ReplayTestPaths.binary, input]
        )
        #expect(result.status == 2, "stderr: \(result.standardError)")
        if !command.hasSuffix("> \"$1\"") {
            // The last form has the shell empty the input before replay starts.
            #expect(try String(contentsOfFile: input, encoding: .utf8) == line)
        }
    }

    /// Records to standard output on a pipe and `--rejections-file /dev/stdout` mixed both kinds
    /// of line in the pipe.
    @Test func rejectionsToTheOutputPipeAreRejected() throws {
        let scratch = try ReplayScratchDirectory()
        let input = try scratch.write("in.jsonl", #"{"meme_id":"m1","type":"view","ts":1700000000000}"# + "\n")
        let result = try runMemestream(
            via: ReplayTestPaths.binary,
            ["replay", "--input-file", input, "--rejections-file", "/dev/stdout"],
            standardOutputIsPipe: true
        )
        #expect(result.status == 2, "stderr: \(result.standardError)")
        #expect(result.standardError.contains("is standard output, where the records go"), "\(result.standardError)")
    }

    /// A rejections file that cannot be opened used to leave the existing output file empty.
    @Test func unopenableRejectionsFileKeepsOutput() throws {
        let scratch = try ReplayScratchDirectory()
        let input = try scratch.write("in.jsonl", #"{"meme_id":"m1","type":"view","ts":1700000000000}"# + "\n")
        let output = try scratch.write("keep.out", "earlier output\n")
        let result = try runMemestream([
            "replay", "--input-file", input, "--output-file", output, "--rejections-file", "/nonexistent/rej.jsonl",
        ])
        #expect(result.status == 1, "stderr: \(result.standardError)")
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "earlier output\n")
    }

    @Test func garbageEnvelopeLinesAreSkipped() throws {
        let scratch = try ReplayScratchDirectory()
        var lines: [String] = []
        for (offset, event) in Self.goodEvents.enumerated() {
            let escaped = event.replacingOccurrences(of: "\"", with: "\\\"")
            lines.append(
                "{\"topic\":\"memes.events\",\"partition\":0,\"offset\":\(offset),\"tstype\":\"create\","
                    + "\"ts\":1700006500000,\"broker\":0,\"key\":\"m1\",\"payload\":\"\(escaped)\"}"
            )
            lines.append("%% garbage line \(offset) {\"partition\":")
        }
        let input = try scratch.write("in.jsonl", lines.joined(separator: "\n"))
        let eventsInput = try scratch.write("events.jsonl", Self.goodEvents.joined(separator: "\n"))
        let output = scratch.file("out.jsonl")
        let reference = scratch.file("reference.jsonl")
        let rejections = scratch.file("rejected.jsonl")

        let result = try runMemestream([
            "replay", "--input-file", input, "--input-format", "kcat", "--output-file", output,
            "--rejections-file", rejections,
        ])
        #expect(result.status == 0)
        #expect(result.standardError.contains("line 2: invalid kcat envelope"))
        #expect(result.standardError.contains("bad_envelope=4"))
        #expect(try readLines(rejections).count == 4)

        // The good envelopes give the same records as the bare events.
        let referenceResult = try runMemestream(["replay", "--input-file", eventsInput, "--output-file", reference])
        #expect(referenceResult.status == 0)
        let written = try readLines(output)
        #expect(!written.isEmpty)
        #expect(written == (try readLines(reference)))
    }

    @Test func zstdOutputMatchesPlainOutput() throws {
        let scratch = try ReplayScratchDirectory()
        let input = try scratch.write("in.jsonl", Self.goodEvents.joined(separator: "\n"))
        let compressedInput = try scratch.write(
            "in.jsonl.zst",
            bytes: try Zstd.compress(Array(Self.goodEvents.joined(separator: "\n").utf8))
        )
        let plain = scratch.file("out.jsonl")
        let compressed = scratch.file("out.jsonl.zst")
        #expect(try runMemestream(["replay", "--input-file", input, "--output-file", plain]).status == 0)
        #expect(
            try runMemestream(["replay", "--input-file", compressedInput, "--output-file", compressed]).status == 0
        )

        let compressedBytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: compressed)))
        #expect(compressedBytes.starts(with: Zstd.frameMagic))
        let decompressed = String(decoding: try Zstd.decompress(compressedBytes), as: UTF8.self)
        #expect(decompressed == (try String(contentsOfFile: plain, encoding: .utf8)))
        #expect(!decompressed.isEmpty)
    }

    @Test func fromToLimitsTicksAndClosesLastWindows() throws {
        let scratch = try ReplayScratchDirectory()
        let input = try scratch.write("in.jsonl", Self.goodEvents.joined(separator: "\n"))
        let all = scratch.file("all.jsonl")
        let ranged = scratch.file("ranged.jsonl")
        #expect(try runMemestream(["replay", "--input-file", input, "--output-file", all]).status == 0)
        let result = try runMemestream([
            "replay", "--input-file", input, "--output-file", ranged,
            "--from", "2023-11-15T00:00:20Z", "--to", "1700006460000",
        ])
        #expect(result.status == 0)

        let ticks = try readLines(ranged).map { line -> Int64 in
            guard case .integer(let tick) = try JSONTestValue.parse(line)["tick"] else { return -1 }
            return tick
        }
        #expect(!ticks.isEmpty)
        #expect(ticks.allSatisfy { $0 >= 1_700_006_420_000 && $0 < 1_700_006_460_000 })
        // The input alone moves the watermark to 1700006425000; --to advances it to 1700006460000,
        // which closes tick 1700006440000, the first tick after the last event.
        #expect(ticks.contains(1_700_006_440_000))
        let unranged = try readLines(all).compactMap { line -> Int64? in
            guard case .integer(let tick) = try JSONTestValue.parse(line)["tick"] else { return nil }
            return tick
        }
        #expect(!unranged.contains(1_700_006_440_000))
    }

    @Test func topLevelHelpNamesTopicInput() throws {
        // An unknown subcommand prints the top-level help on standard error.
        let result = try runMemestream(["no-such-subcommand"])
        #expect(result.status == 2)
        let replayLine = result.standardError.split(separator: "\n").first { $0.hasPrefix("  replay ") }
        let line = try #require(replayLine, "stderr: \(result.standardError)")
        #expect(line.contains("JSONL or JSONL.zst file"), "line: \(line)")
        #expect(line.contains("Kafka topic"), "line: \(line)")
    }

    @Test func fileSummaryCountsLinesAndRecords() throws {
        let scratch = try ReplayScratchDirectory()
        let input = try scratch.write("in.jsonl", Self.goodEvents.joined(separator: "\n\n"))
        let result = try runMemestream(["replay", "--input-file", input, "--output-file", scratch.file("out.jsonl")])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        #expect(
            result.standardError.contains("read 7 lines (4 records, 3 blank) from \(input)"),
            "stderr: \(result.standardError)"
        )
        // The last event is at 1700006430000, so its tick is 1700006440000, written with a --to one tick later.
        #expect(
            result.standardError.contains("every tick before TIME (--to 1700006450000, 2023-11-15T00:00:50"),
            "stderr: \(result.standardError)"
        )
    }

    @Test func fileSummaryCountsOneLineInTheSingular() throws {
        let scratch = try ReplayScratchDirectory()
        let input = try scratch.write("in.jsonl", Self.goodEvents[0])
        let result = try runMemestream(["replay", "--input-file", input, "--output-file", scratch.file("out.jsonl")])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        #expect(
            result.standardError.contains("read 1 line (1 record, 0 blank) from \(input)"),
            "stderr: \(result.standardError)"
        )
    }

    @Test(arguments: [
        (
            #"{"name":"s","version":1,"features":[{"name":"views","kind":"window","aggregator":"count","#
                + #""size_ms":60000.5,"hop_ms":10000}]}"#,
            #"invalid feature "views": "size_ms" must be an integer number of ms; the number has a fraction"#
        ),
        (
            #"{"name":"s","version":1e19,"features":[]}"#,
            #""version" must be an integer; the number has a fraction or is outside the 64-bit range"#
        ),
        (
            #"{"name":"s","version":0,"features":[{"name":"views","kind":"window","aggregator":"count","#
                + #""size_ms":60000,"hop_ms":10000}]}"#,
            "the set version is 0; versions start at 1"
        ),
        (
            #"{"name":"s","version":1,"features":[{"name":"views","kind":"window","aggregator":"count","#
                + #""event_typ":"view","size_ms":60000,"hop_ms":10000}]}"#,
            #"invalid feature "views": unknown key "event_typ" (did you mean "event_type"?)"#
        ),
        (
            "{\"name\":\"s\",\"version\":1,\n\"features\":[{\"name\":\"views\",,}]}",
            "not valid JSON: expected a member name in double quotes, found ',' at line 2, column 29"
        ),
    ])
    func badFeatureSetExitsTwo(definition: String, message: String) throws {
        let scratch = try ReplayScratchDirectory()
        let input = try scratch.write("in.jsonl", Self.goodEvents.joined(separator: "\n"))
        let featureSet = try scratch.write("set.json", definition)
        for command in ["replay", "run"] {
            let arguments =
                command == "replay"
                ? ["replay", "--input-file", input, "--feature-set", featureSet]
                // The feature set is loaded before any broker is contacted.
                : ["run", "--bootstrap-servers", "127.0.0.1:1", "--feature-set", featureSet]
            let result = try runMemestream(arguments)
            #expect(result.status == 2, "\(command) stderr: \(result.standardError)")
            #expect(
                result.standardError.contains("invalid --feature-set \(featureSet)"),
                "\(command) stderr: \(result.standardError)"
            )
            #expect(result.standardError.contains(message), "\(command) stderr: \(result.standardError)")
        }
    }

    @Test func registeredAggregatorRunsInReplay() throws {
        let scratch = try ReplayScratchDirectory()
        let events = [
            #"{"meme_id":"m1","type":"view","ts":1700006401000,"dwell_ms":12000}"#,
            #"{"meme_id":"m1","type":"view","ts":1700006402000,"dwell_ms":4000}"#,
            #"{"meme_id":"m1","type":"view","ts":1700006403000,"dwell_ms":10000}"#,
            #"{"meme_id":"m1","type":"view","ts":1700006404000}"#,
        ]
        let input = try scratch.write("in.jsonl", events.joined(separator: "\n"))
        let definition =
            #"{"name":"long","version":1,"features":[{"name":"long_views_1m","kind":"window","#
            + #""aggregator":"long_dwell_count","parameters":{"min_dwell_ms":10000},"event_type":"view","#
            + #""size_ms":60000,"hop_ms":10000}]}"#
        let featureSet = try scratch.write("set.json", definition)
        let output = scratch.file("out.jsonl")
        let result = try runMemestream([
            "replay", "--input-file", input, "--feature-set", featureSet, "--output-file", output,
            "--to", "1700006420000",
        ])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
        #expect(
            lines == [
                #"{"meme_id":"m1","tick":1700006410000,"feature_set":"long","version":1,"features":{"long_views_1m":2}}"#
            ]
        )
    }
}
