import Foundation
import StreamCore
import Testing

@testable import StreamApp

@Suite struct GenerateFormatTests {
    /// Values from the Java client's own murmur2 test table.
    @Test(arguments: [
        ("21", Int32(-973_932_308)),
        ("foobar", Int32(-790_332_482)),
        ("a-little-bit-long-string", Int32(-985_981_536)),
        ("a-little-bit-longer-string", Int32(-1_486_304_829)),
        ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", Int32(-58_897_971)),
        ("abc", Int32(479_470_107)),
    ])
    func murmur2MatchesJavaClient(key: String, expected: Int32) {
        #expect(Murmur2Partitioner.hash(Array(key.utf8)) == expected)
    }

    @Test(arguments: [
        Int64(1_000_000_000_000), 1_767_225_600_000, 1_709_164_800_123, 4_102_444_799_999, 9_999_999_999_999,
    ])
    func rfc3339TextRoundTrips(milliseconds: Int64) {
        for offset in [0, 120, -330] {
            var text: [UInt8] = []
            RFC3339Format.append(milliseconds, offsetMinutes: offset, to: &text)
            #expect(TimeArgument.parseRFC3339(text) == milliseconds, "\(String(decoding: text, as: UTF8.self))")
        }
    }

    @Test func kcatEnvelopesCarryPartitionOffsetAndTimestamp() throws {
        var configuration = GeneratorConfiguration.testing(events: 5_000)
        configuration.outputFormat = .kcat
        configuration.partitions = 4
        configuration.badShare = 0.05
        let sample = GeneratedSample(configuration)
        let bytes = try generatedBytes(configuration)
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == sample.records.count)

        var nextOffsets = [Int64](repeating: 0, count: 4)
        for (line, record) in zip(lines, sample.records) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            let partition = try #require(object["partition"] as? Int)
            let offset = try #require(object["offset"] as? Int64)
            #expect(object["topic"] as? String == "memes.events")
            #expect(object["tstype"] as? String == "create")
            #expect(object["ts"] as? Int64 == record.timestampMilliseconds)
            #expect(object["key"] as? String == String(decoding: record.key, as: UTF8.self))
            #expect(object["payload"] as? String == String(decoding: record.value, as: UTF8.self))
            #expect(partition == Int(Murmur2Partitioner.partition(forKey: record.partitionKey, partitionCount: 4)))
            #expect(offset == nextOffsets[partition])
            nextOffsets[partition] += 1
        }
        #expect(nextOffsets.allSatisfy { $0 > 0 })
    }

    @Test func zstdFileDecompressesToPlainFile() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("generate-zstd-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let plainPath = directory.appendingPathComponent("events.jsonl").path
        let compressedPath = directory.appendingPathComponent("events.jsonl.zst").path

        let configuration = GeneratorConfiguration.testing(events: 20_000)
        _ = try GenerateCommand.generate(configuration, to: try LineWriter(path: plainPath))
        _ = try GenerateCommand.generate(configuration, to: try LineWriter(path: compressedPath))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/zstd")
        process.arguments = ["-d", "-q", "-c", compressedPath]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let decompressed = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let plain = try Data(contentsOf: URL(fileURLWithPath: plainPath))
        #expect(plain.count > 1_000_000)
        #expect(decompressed == plain)
    }
}
