import Foundation
import Testing

@testable import StreamCore

@Suite struct IOLineWriterTests {
    @Test(arguments: ["out.jsonl", "out.jsonl.zst"])
    func writtenLinesReadBack(name: String) throws {
        let directory = try TemporaryDirectory()
        let path = directory.file(name)
        let writer = try LineWriter(path: path)
        let expected = (0..<100_000).map { "{\"meme_id\":\"m\($0)\",\"tick\":\($0)}" }
        for line in expected { try writer.writeLine(line) }
        // One line larger than the writer's buffer takes the direct path.
        let big = String(repeating: "q", count: 600_000)
        try writer.writeLine(big)
        try writer.close()

        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let isZstd = bytes.withUnsafeBytes { Zstd.hasFrameMagic($0) }
        #expect(isZstd == name.hasSuffix(".zst"))
        let lines = try readAllLines(path)
        #expect(lines.map(\.text) == expected + [big])
    }

    @Test func flushMakesBytesVisibleBeforeClose() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("flush.jsonl.zst")
        let writer = try LineWriter(path: path)
        try writer.writeLine("one")
        try writer.flush()
        let partial = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        // A flushed but unfinished frame already contains the line.
        #expect(!partial.isEmpty)
        try writer.writeLine("two")
        try writer.close()
        #expect(try readAllLines(path).map(\.text) == ["one", "two"])
    }

    @Test func writeAfterCloseThrows() throws {
        let directory = try TemporaryDirectory()
        let writer = try LineWriter(path: directory.file("closed.jsonl"))
        try writer.close()
        try writer.close()
        #expect(throws: FileIOError.self) { try writer.writeLine("late") }
    }

    @Test func unwritableDirectoryNamesPath() throws {
        let path = "/nonexistent-memestream-dir/out.jsonl"
        let error = try #require(throws: FileIOError.self) { try LineWriter(path: path) }
        #expect(error.path == path)
        #expect(error.description.contains("cannot open for writing"))
    }

    @Test func explicitCompressionOverridesExtension() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("forced.bin")
        let writer = try LineWriter(path: path, compression: .zstd(level: 1))
        try writer.writeLine("x")
        try writer.close()
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(bytes.starts(with: Zstd.frameMagic))
        #expect(try readAllLines(path).map(\.text) == ["x"])
    }
}
