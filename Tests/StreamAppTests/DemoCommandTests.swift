import Foundation
import Testing

@testable import StreamApp

@Suite struct DemoCommandTests {
    @Test func shortPlainRunPrintsSummaryWithMemes() throws {
        let logFile = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: logFile) }
        let result = try runMemestreamCapturingOutput(
            ["demo", "--duration", "5", "--backfill", "1m", "--rate", "200", "--log-file", logFile.path],
            timeoutSeconds: 120
        )
        #expect(result.status == 0, "stderr: \(result.standardError)")
        #expect(result.standardOutput.contains("memestream demo: stopped after"))
        // Not a terminal, so no screen-clearing sequences.
        #expect(!result.standardOutput.contains(DemoView.clearScreen))
        let firstRow = result.standardOutput.split(separator: "\n").first { $0.hasPrefix("1  m") }
        #expect(firstRow != nil, "no ranked meme in: \(result.standardOutput)")
    }

    @Test func secondStopSignalExitsAtOnce() throws {
        let logFile = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID().uuidString).log")
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID().uuidString).out")
        defer {
            try? FileManager.default.removeItem(at: logFile)
            try? FileManager.default.removeItem(at: outputFile)
        }
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ReplayTestPaths.binary)
        process.arguments = ["demo", "--backfill", "1m", "--rate", "200", "--log-file", logFile.path]
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        // The first plain summary shows that every part runs.
        let started = Date()
        while process.isRunning, Date().timeIntervalSince(started) < 120 {
            if let text = try? String(contentsOf: outputFile, encoding: .utf8), text.contains("consumed") {
                break
            }
            usleep(100_000)
        }
        #expect(process.isRunning)
        // Two different signals, because two pending SIGINTs could merge into one.
        kill(process.processIdentifier, SIGINT)
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        #expect(!process.isRunning)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let output = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
        #expect(!output.contains("stopped after"), "output: \(output)")
    }

    @Test(
        arguments: [
            (["--duration", "5"], Int64(5_000)),
            (["--duration", "1500ms"], Int64(1_500)),
            (["--duration", "2m"], Int64(120_000)),
            ([], nil),
        ] as [([String], Int64?)]
    )
    func durationTakesSecondsOrUnits(arguments: [String], expected: Int64?) throws {
        let parsed = try ParsedArguments(arguments, specs: DemoOptions.specs, command: "demo")
        #expect(try DemoOptions(parsed).durationMilliseconds == expected)
    }

    @Test(arguments: [
        ["--rate", "0"],
        ["--rate", "abc"],
        ["--duration", "0"],
        ["--partitions", "65"],
        ["--backfill", "2h"],
        ["--top", "0"],
        ["--seed", "-1"],
        ["extra"],
    ])
    func invalidOptionIsUsageError(arguments: [String]) throws {
        let parsed = try ParsedArguments(arguments, specs: DemoOptions.specs, command: "demo")
        #expect(throws: UsageError.self) { try DemoOptions(parsed) }
    }

    @Test func boardKeepsLatestRecordAndDropsTombstones() throws {
        var board = TrendingBoard()
        board.apply(featureMessage("m1", tick: 10_000, views5m: 3, score: 2.5))
        board.apply(featureMessage("m2", tick: 10_000, views5m: 9, score: 7.0))
        board.apply(featureMessage("m1", tick: 20_000, views5m: 4, score: 3.5))
        #expect(board.memes["m1"]?.views5m == 4)
        #expect(board.top(1, by: \.trendingScore).map(\.memeID) == ["m2"])

        board.apply(FeatureRecord.tombstone(key: "m2", tick: 30_000))
        #expect(board.memes["m2"] == nil)
        #expect(board.recordsRead == 3)
        #expect(board.tombstonesRead == 1)
        #expect(board.latestTick == 30_000)
    }

    @Test func tableSaysWhenNoRecordsYet() {
        let lines = DemoView.table([])
        #expect(lines.count == 2)
        #expect(lines[1].contains("no feature records yet"))
    }

    @Test func wrappedSplitsAtSpacesWithinWidth() {
        let lines = DemoView.wrapped("a bb ccc dddd", first: "x: ", next: "   ", width: 8)
        #expect(lines == ["x: a bb", "   ccc", "   dddd"])
        #expect(DemoView.wrapped("short", first: "x: ", next: "   ") == ["x: short"])
    }

    @Test(arguments: [(0.0, "00:00"), (65.9, "01:05"), (3_725, "1:02:05")])
    func clockFormatsElapsedTime(seconds: Double, expected: String) {
        #expect(DemoView.clock(seconds) == expected)
    }

    private func featureMessage(_ meme: String, tick: Int64, views5m: Int, score: Double) -> FeatureRecord {
        let value =
            #"{"meme_id":"\#(meme)","tick":\#(tick),"feature_set":"meme_v1","version":1,"features":{"views_5m":\#(views5m),"#
            + #""view_velocity_5m":1.5,"view_acceleration_5m":0.2,"like_rate_1h":0.05,"age_s":120.0,"trending_score":\#(score)}}"#
        return FeatureRecord(key: Array(meme.utf8), value: Array(value.utf8), tick: tick)
    }
}

/// A feature-topic record as the board reads it.
struct FeatureRecord {
    var key: [UInt8]?
    var value: [UInt8]?
    var tick: Int64?

    static func tombstone(key: String, tick: Int64) -> FeatureRecord {
        FeatureRecord(key: Array(key.utf8), value: nil, tick: tick)
    }
}

extension TrendingBoard {
    mutating func apply(_ record: FeatureRecord) {
        apply(key: record.key, value: record.value, tick: record.tick)
    }
}
