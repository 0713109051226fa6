import Foundation

@testable import StreamApp

/// The exit status and both output streams of a `memestream` child process.
struct DemoProcessResult {
    var status: Int32
    var standardOutput: String
    var standardError: String
}

/// Runs the built `memestream` with its output streams on pipes (so the demo takes its plain,
/// non-terminal mode) and waits up to `timeoutSeconds`. A child still running at the deadline is
/// sent SIGTERM, then SIGKILL two seconds later, and the result has status -1.
func runMemestreamCapturingOutput(_ arguments: [String], timeoutSeconds: Double) throws -> DemoProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: ReplayTestPaths.binary)
    process.arguments = arguments
    let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("demo-out-\(UUID().uuidString)")
    let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("demo-err-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
    defer {
        try? FileManager.default.removeItem(at: outputFile)
        try? FileManager.default.removeItem(at: errorFile)
    }
    // Files rather than pipes: a child writing more than a pipe holds never blocks on them.
    process.standardOutput = try FileHandle(forWritingTo: outputFile)
    process.standardError = try FileHandle(forWritingTo: errorFile)
    try process.run()

    let deadline = Date().addingTimeInterval(timeoutSeconds)
    while process.isRunning && Date() < deadline {
        usleep(20_000)
    }
    var timedOut = false
    if process.isRunning {
        timedOut = true
        process.terminate()
        let killDeadline = Date().addingTimeInterval(2)
        while process.isRunning && Date() < killDeadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
    process.waitUntilExit()
    return DemoProcessResult(
        status: timedOut ? -1 : process.terminationStatus,
        standardOutput: (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "",
        standardError: (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
    )
}
