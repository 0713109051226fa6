import Foundation
import StreamCore

@testable import StreamApp

/// Paths the replay tests need: the package root, the shared conformance data and the built
/// `memestream` binary.
enum ReplayTestPaths {
    /// The package root, two levels above this file's folder.
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The shared folder with conformance cases and real data: `MEMESTREAM_SHARED_DIR` when
    /// set, otherwise `<package root>/../shared`.
    static var sharedDirectory: String {
        if let override = ProcessInfo.processInfo.environment["MEMESTREAM_SHARED_DIR"], !override.isEmpty {
            return override
        }
        return URL(fileURLWithPath: packageRoot).deletingLastPathComponent().appendingPathComponent("shared").path
    }

    /// The `memestream` executable built next to the test bundle.
    static var binary: String {
        let testBundle = URL(fileURLWithPath: CommandLine.arguments[0])
        let sibling = testBundle.deletingLastPathComponent().appendingPathComponent("memestream").path
        if FileManager.default.isExecutableFile(atPath: sibling) { return sibling }
        return packageRoot + "/.build/debug/memestream"
    }
}

/// A temporary directory removed when the value is deinitialized.
final class ReplayScratchDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.path + "/memestream-replay-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func file(_ name: String) -> String {
        path + "/" + name
    }

    func write(_ name: String, _ text: String) throws -> String {
        let target = file(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: target))
        return target
    }

    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let target = file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: target))
        return target
    }
}

/// The result of running the `memestream` binary.
struct ProcessResult {
    var status: Int32
    var standardError: String
}

/// Runs the built `memestream` binary with `arguments`, waiting at most `timeoutSeconds`.
func runMemestream(_ arguments: [String], timeoutSeconds: Double = 120) throws -> ProcessResult {
    try runMemestream(via: ReplayTestPaths.binary, arguments, timeoutSeconds: timeoutSeconds)
}

/// Runs `executable` (the `memestream` binary, or a shell that starts it) with `arguments`,
/// waiting at most `timeoutSeconds`.
/// With `standardOutputIsPipe`, standard output is a pipe that is never read, so the run must
/// write less than a pipe buffers (64 KiB by default on Linux).
func runMemestream(
    via executable: String,
    _ arguments: [String],
    timeoutSeconds: Double = 120,
    standardOutputIsPipe: Bool = false
) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let errorPipe = Pipe()
    process.standardError = errorPipe
    let outputPipe = Pipe()
    process.standardOutput = standardOutputIsPipe ? outputPipe : FileHandle.nullDevice
    try process.run()
    // Read stderr to its end before waiting, so a full pipe cannot block the child.
    let errorData = errorPipe.fileHandleForReading.readDataToEndOfFile()
    let deadline = Date().addingTimeInterval(timeoutSeconds)
    while process.isRunning && Date() < deadline {
        usleep(10_000)
    }
    if process.isRunning {
        process.terminate()
        throw ReplayTestFailure(message: "memestream \(arguments.joined(separator: " ")) timed out")
    }
    return ProcessResult(status: process.terminationStatus, standardError: String(decoding: errorData, as: UTF8.self))
}

struct ReplayTestFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Reads a text file's lines, dropping the empty string after the last newline.
func readLines(_ path: String) throws -> [String] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    var lines = text.components(separatedBy: "\n")
    if lines.last == "" { lines.removeLast() }
    return lines
}
