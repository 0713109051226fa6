import Testing

@testable import StreamCore

@Suite struct IOLineReaderTests {
    @Test(arguments: ["lines.jsonl", "lines.jsonl.zst", "lines-no-extension"])
    func readsPlainAndZstdFiles(name: String) throws {
        let directory = try TemporaryDirectory()
        let path = directory.file(name)
        let text = "first\nsecond\r\n\nfourth without newline"
        var bytes = Array(text.utf8)
        if name != "lines.jsonl" { bytes = try Zstd.compress(bytes) }
        try writeFile(path, bytes)

        let lines = try readAllLines(path)
        #expect(lines.map(\.text) == ["first", "second", "", "fourth without newline"])
        #expect(lines.allSatisfy { !$0.isTruncated })
    }

    @Test(arguments: ["ahead.jsonl", "ahead.jsonl.zst"])
    func bufferedBytesFollowLastLine(name: String) throws {
        let directory = try TemporaryDirectory()
        let path = directory.file(name)
        // Enough lines for several refills of the buffer, of varying length.
        var text = ""
        for number in 0..<40_000 { text += "line \(number) " + String(repeating: "x", count: number % 50) + "\n" }
        var bytes = Array(text.utf8)
        let original = bytes
        if name.hasSuffix(".zst") { bytes = try Zstd.compress(bytes) }
        try writeFile(path, bytes)
        let reader = try LineReader(path: path)
        var position = 0
        var mismatches = 0
        // One pass per line: 40,000 lines and the end.
        for _ in 0...40_000 {
            guard let line = try reader.nextLine() else { break }
            position += line.bytes.count + 1
            let buffered = reader.bufferedBytes
            if reader.bufferedPosition != Int64(position) { mismatches += 1 }
            // The buffered bytes are the file's bytes from that position on. Comparing every
            // buffered byte after every line took minutes in a debug build: compare both ends.
            let edge = min(buffered.count, 128)
            let headMatches = buffered.prefix(edge).elementsEqual(original[position..<(position + edge)])
            let tailStart = position + buffered.count - edge
            let tailMatches = buffered.suffix(edge).elementsEqual(original[tailStart..<(tailStart + edge)])
            if !headMatches || !tailMatches { mismatches += 1 }
        }
        #expect(mismatches == 0)
        #expect(position == original.count)
        #expect(reader.bufferedBytes.isEmpty)
    }

    @Test func plainFileNamedZstIsRejectedAtByteZero() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("plain.jsonl.zst")
        try writeFile(path, Array(#"{"meme_id":"m1"}\#n"#.utf8))
        let error = try #require(throws: FileIOError.self) { try LineReader(path: path) }
        #expect(error.byteOffset == 0)
        #expect(error.reason.contains("does not start with a zstd frame (its first bytes are 7B 22 6D 65)"))
        #expect(error.reason.contains("rename it without .zst"))
    }

    /// Files of one to three bytes used to reach zstd, whose error named only a cut frame.
    @Test(arguments: [1, 3])
    func tooShortZstFileRejected(length: Int) throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("short.jsonl.zst")
        try writeFile(path, Array("{}\n".utf8.prefix(length)))
        let error = try #require(throws: FileIOError.self) { try LineReader(path: path) }
        #expect(error.byteOffset == 0)
        #expect(error.reason.contains("too few for a zstd frame"), "\(error)")
    }

    @Test func zstFileStartingWithSkippableFrameIsRead() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("skippable.jsonl.zst")
        // A skippable frame of 3 bytes, then an ordinary frame.
        let skippable: [UInt8] = [0x50, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 1, 2, 3]
        try writeFile(path, skippable + (try Zstd.compress(Array("a\nb\n".utf8))))
        #expect(try readAllLines(path).map(\.text) == ["a", "b"])
    }

    @Test func emptyFileHasNoLines() throws {
        let directory = try TemporaryDirectory()
        try writeFile(directory.file("empty.jsonl"), [])
        #expect(try readAllLines(directory.file("empty.jsonl")).isEmpty)
    }

    @Test func lineNumbersCountBlankLines() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("numbers.jsonl")
        try writeFile(path, Array("a\n\nb\n".utf8))
        let reader = try LineReader(path: path)
        var numbers: [Int] = []
        while let line = try reader.nextLine() { numbers.append(line.number) }
        #expect(numbers == [1, 2, 3])
    }

    @Test(arguments: [false, true])
    func overlongLineIsCutAndNeighboursSurvive(compressed: Bool) throws {
        let directory = try TemporaryDirectory()
        let path = directory.file(compressed ? "long.jsonl.zst" : "long.jsonl")
        let long = String(repeating: "x", count: 3_000_000)
        var bytes = Array("before\n\(long)\nafter\n".utf8)
        if compressed { bytes = try Zstd.compress(bytes) }
        try writeFile(path, bytes)

        let lines = try readAllLines(path, maximumLineBytes: 100_000)
        try #require(lines.count == 3)
        #expect(lines[0].text == "before")
        #expect(lines[1].isTruncated)
        #expect(lines[1].length == 3_000_000)
        #expect(lines[1].text.utf8.count == 100_000)
        #expect(lines[2].text == "after")
        #expect(!lines[2].isTruncated)
    }

    @Test func overlongLastLineWithoutNewline() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("tail.jsonl")
        try writeFile(path, Array(("ok\n" + String(repeating: "y", count: 700_000)).utf8))
        let lines = try readAllLines(path, maximumLineBytes: 1000)
        try #require(lines.count == 2)
        #expect(lines[1].isTruncated)
        #expect(lines[1].length == 700_000)
    }

    /// CRLF lines whose `\r` ends one read and whose `\n` starts the next: the lengths around
    /// the 256 KiB read size put the split at every position near the terminator.
    @Test func overlongCRLFLineSplitAcrossReads() throws {
        let directory = try TemporaryDirectory()
        for length in (LineReader.readChunkBytes - 2)...(LineReader.readChunkBytes + 6) {
            let path = directory.file("crlf-\(length).jsonl")
            try writeFile(path, Array((String(repeating: "x", count: length) + "\r\nafter\r\n").utf8))
            let lines = try readAllLines(path, maximumLineBytes: 1000)
            try #require(lines.count == 2)
            #expect(lines[0].isTruncated)
            #expect(lines[0].length == length, "line of \(length) bytes")
            #expect(lines[1].text == "after")
        }
    }

    /// A line exactly at the limit, with its `\r\n` split across reads, is returned whole.
    @Test func lineAtLimitWithSplitCRLFIsWhole() throws {
        let directory = try TemporaryDirectory()
        for length in (LineReader.readChunkBytes - 2)...(LineReader.readChunkBytes + 6) {
            let path = directory.file("limit-\(length).jsonl")
            try writeFile(path, Array((String(repeating: "x", count: length) + "\r\nafter\n").utf8))
            let lines = try readAllLines(path, maximumLineBytes: length)
            try #require(lines.count == 2)
            #expect(!lines[0].isTruncated, "line of \(length) bytes")
            #expect(lines[0].length == length)
            #expect(lines[0].text.utf8.count == length)
            #expect(lines[1].text == "after")
        }
    }

    @Test func overlongLineInsideOneChunk() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("short-limit.jsonl")
        try writeFile(path, Array("0123456789abcdef\nxy\n".utf8))
        let lines = try readAllLines(path, maximumLineBytes: 10)
        try #require(lines.count == 2)
        #expect(lines[0].text == "0123456789")
        #expect(lines[0].isTruncated)
        #expect(lines[0].length == 16)
        #expect(lines[1].text == "xy")
    }

    @Test func manyLinesAcrossChunkBoundaries() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("many.jsonl.zst")
        let expected = (0..<200_000).map { "{\"n\":\($0)}" }
        try writeFile(path, try Zstd.compress(Array(expected.joined(separator: "\n").utf8)))
        let lines = try readAllLines(path)
        #expect(lines.count == expected.count)
        #expect(lines.map(\.text) == expected)
    }

    @Test func truncatedZstdDeliversGoodLinesThenThrows() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("cut.jsonl.zst")
        let text =
            (0..<50_000).map { "line \($0) \(String(repeating: "z", count: $0 % 50))" }
            .joined(separator: "\n") + "\n"
        let compressed = try Zstd.compress(Array(text.utf8))
        let cut = Array(compressed.prefix(compressed.count / 2))
        try writeFile(path, cut)

        let reader = try LineReader(path: path)
        var count = 0
        var thrown: FileIOError?
        do {
            while let line = try reader.nextLine() {
                #expect(
                    String(decoding: line.bytes, as: UTF8.self)
                        == "line \(count) \(String(repeating: "z", count: count % 50))"
                )
                count += 1
            }
        } catch let error as FileIOError {
            thrown = error
        }
        let error = try #require(thrown)
        #expect(count > 1000)
        #expect(error.path == path)
        #expect(error.byteOffset == Int64(cut.count))
        #expect(error.description.contains("truncated"))
    }

    @Test func corruptZstdNamesFileAndOffset() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("corrupt.jsonl.zst")
        var compressed = try Zstd.compress(Array(String(repeating: "abc\n", count: 1000).utf8))
        for index in 12..<compressed.count - 4 { compressed[index] ^= 0x5A }
        try writeFile(path, compressed)

        let reader = try LineReader(path: path)
        let error = try #require(
            throws: FileIOError.self,
            performing: {
                var lines = 0
                while try reader.nextLine() != nil && lines < 10_000 { lines += 1 }
            }
        )
        #expect(error.path == path)
        #expect(error.byteOffset != nil)
    }

    @Test func missingFileNamesPath() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("absent.jsonl")
        let error = try #require(throws: FileIOError.self) { try LineReader(path: path) }
        #expect(error.path == path)
        #expect(error.description.contains("No such file"))
    }

    @Test func directoryIsRejected() throws {
        let directory = try TemporaryDirectory()
        let error = try #require(throws: FileIOError.self) { try LineReader(path: directory.path) }
        #expect(error.description.contains("directory"))
    }
}
