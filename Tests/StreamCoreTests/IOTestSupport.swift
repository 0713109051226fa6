import Foundation

@testable import StreamCore

/// A fresh temporary directory per test, removed when the value is deinitialized.
final class TemporaryDirectory {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/memestream-io-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func file(_ name: String) -> String {
        path + "/" + name
    }
}

/// Writes `bytes` to `path` as is.
func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// Reads every line of `path` and copies them out, with the truncation flag and full length.
func readAllLines(
    _ path: String,
    maximumLineBytes: Int = LineReader.defaultMaximumLineBytes
) throws -> [(text: String, isTruncated: Bool, length: Int)] {
    let reader = try LineReader(path: path, maximumLineBytes: maximumLineBytes)
    var lines: [(text: String, isTruncated: Bool, length: Int)] = []
    while let line = try reader.nextLine() {
        lines.append((String(decoding: line.bytes, as: UTF8.self), line.isTruncated, line.length))
    }
    return lines
}
