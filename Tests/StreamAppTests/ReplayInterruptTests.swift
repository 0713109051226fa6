import Foundation
import Testing

/// SIGINT, SIGTERM or SIGHUP during a replay: the output is closed whole, the summary is printed,
/// and exit status 130 marks the output as incomplete.
@Suite(.serialized) struct ReplayInterruptTests {
    @Test(arguments: [SIGTERM, SIGINT, SIGHUP], ["jsonl", "jsonl.zst"])
    func signalClosesOutputAndExits130(signal: Int32, format: String) throws {
        let directory = makeTestDirectory("replay-interrupt")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let output = directory + "/features." + format
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ReplayTestPaths.binary)
        process.arguments = ["replay", "--input-file", "-", "--output-file", output, "--to", "2024-01-01T00:00:00Z"]
        let input = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()

        // Two ticks of events, so records are written; the replay then waits for more input.
        let base: Int64 = 1_700_000_000_000
        let lines = (0..<200).map { #"{"meme_id":"m\#($0 % 7)","type":"view","ts":\#(base + Int64($0) * 200)}"# }
        input.fileHandleForWriting.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        usleep(500_000)
        kill(process.processIdentifier, signal)
        usleep(200_000)
        // The next line is where the replay notices the signal (it is read, not processed); stdin
        // stays open.
        input.fileHandleForWriting.write(Data(#"{"meme_id":"m1","type":"view","ts":1700000050000}"#.utf8 + [10]))
        let standardError = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        input.fileHandleForWriting.closeFile()

        #expect(process.terminationStatus == 130, "stderr: \(standardError)")
        #expect(standardError.contains("interrupted by a signal"), "stderr: \(standardError)")
        #expect(standardError.contains("memestream replay: read 201 lines"), "stderr: \(standardError)")
        // The output is readable to its end: replay it back as an input of its own format.
        if format == "jsonl" {
            let text = try String(contentsOfFile: output, encoding: .utf8)
            #expect(text.hasSuffix("}\n"))
        } else {
            let check = try runMemestream([
                "replay", "--input-file", output, "--output-file", directory + "/back.jsonl",
            ])
            #expect(!check.standardError.contains("premature end"), "\(check.standardError)")
            #expect(!check.standardError.contains("truncated"), "\(check.standardError)")
            #expect(check.standardError.contains("memestream replay: read "), "\(check.standardError)")
        }
    }
}

/// A Ctrl-C during `round-trip` ended the process at once and left its work directory in /tmp.
@Suite struct RoundTripInterruptTests {
    @Test func signalRemovesWorkDirectory() throws {
        let directory = makeTestDirectory("round-trip-interrupt")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let events = directory + "/events.jsonl"
        let generated = try runMemestream(["generate", "--events", "20000", "--output-file", events])
        #expect(generated.status == 0, "\(generated.standardError)")

        let temporary = directory + "/tmp"
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: false)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ReplayTestPaths.binary)
        process.arguments = [
            "round-trip", "--input-file", events, "--partitions", "2", "--log-file", directory + "/log",
        ]
        process.environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": temporary + "/"]) { $1 }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()

        // Signal once the work directory exists (bounded: 600 polls of 50 ms).
        var polls = 0
        while polls < 600, (try? FileManager.default.contentsOfDirectory(atPath: temporary))?.isEmpty ?? true {
            usleep(50_000)
            polls += 1
        }
        kill(process.processIdentifier, SIGINT)
        let standardError = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()

        // A run that finished before the signal exits 0; either way nothing is left behind.
        #expect([0, 130].contains(process.terminationStatus), "stderr: \(standardError)")
        if process.terminationStatus == 130 {
            #expect(standardError.contains("interrupted, nothing was checked"), "stderr: \(standardError)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary).isEmpty)
    }
}
