import Foundation
import StreamCore
import Testing

@testable import StreamApp

/// Real KuaiRand events through the embedded cluster and the streaming worker, compared with
/// replay on the same records.
@Suite struct RealDataRoundTripTests {
    static var dataFile: String {
        ReplayTestPaths.sharedDirectory + "/data/kuairand/kuairand27k_like_hate_kcore15.tsv"
    }

    static var hasData: Bool { FileManager.default.fileExists(atPath: dataFile) }

    /// The first 36 hours of the sample: 3,973 rows, so 7,946 events. Memes quiet for a day by
    /// the end are tombstoned, so the check covers records and tombstones.
    @Test(.enabled(if: hasData, "needs the KuaiRand sample in the shared data directory"))
    func workerOutputEqualsReplayOnKuaiRandSlice() throws {
        let rows = try ImportKuaiRandCommand.readRows(path: Self.dataFile) { line, reason in
            Issue.record("line \(line): \(reason)")
        }
        let first = try #require(rows.first).timeMilliseconds
        let slice = rows.filter { $0.timeMilliseconds < first + 36 * 3_600_000 }
        let scratch = try ReplayScratchDirectory()
        let events = scratch.file("events.jsonl")
        let eventCount = try ImportKuaiRandCommand.writeEvents(slice, path: events)
        #expect(eventCount == 2 * slice.count)

        let logs = InMemoryLogHandler()
        var roundTrip = RealDataRoundTrip(
            inputFile: events,
            workDirectory: scratch.path,
            logger: Logger(label: "test", level: .notice, handler: logs)
        )
        roundTrip.partitions = 4
        roundTrip.timeout = .seconds(120)
        let report = try roundTrip.run()

        #expect(report.eventsLoaded == eventCount)
        #expect(report.eventsConsumed == UInt64(eventCount))
        #expect(report.rejections.isEmpty)
        #expect(report.workerRecords > 0)
        #expect(report.workerTombstones > 0)
        #expect(report.replayLines == report.workerRecords + report.workerTombstones)
        #expect(report.differences.isEmpty, "\(report.differences.joined(separator: "\n"))")
        #expect(logs.entries(at: .error).isEmpty)
    }

    @Test func scriptWithoutDataNamesSourceAndFails() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [ReplayTestPaths.packageRoot + "/scripts/real-data-demo.sh"]
        var environment = ProcessInfo.processInfo.environment
        environment["MEMESTREAM_SHARED_DIR"] = "/nonexistent-memestream-shared"
        process.environment = environment
        let errorPipe = Pipe()
        process.standardError = errorPipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // The script exits before building or starting anything, so reading to the end is bounded.
        let message = String(decoding: errorPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()

        #expect(process.terminationStatus == 1)
        #expect(message.contains("not found"))
        #expect(message.contains("KuaiRand"))
        #expect(message.contains("MEMESTREAM_SHARED_DIR"))
    }

    @Test func differencesListLinesOnOneSideOnly() {
        let differences = RealDataRoundTrip.differences(worker: ["b", "a", "c"], replay: ["c", "a", "d"])
        #expect(differences.count == 3)
        #expect(differences[1] == "only in the feature topic: b")
        #expect(differences[2] == "only in the replay output: d")
        #expect(RealDataRoundTrip.differences(worker: ["b", "a"], replay: ["a", "b"]).isEmpty)
    }

    @Test func tombstoneLineMatchesReplayForm() {
        let line = RealDataRoundTrip.tombstoneLine(
            memeID: "v42",
            tick: 1_649_683_800_000,
            featureSet: "meme_v1",
            schemaVersion: "1"
        )
        #expect(line == #"{"meme_id":"v42","tick":1649683800000,"feature_set":"meme_v1","version":1,"features":null}"#)
    }
}
