import Foundation
import Testing

@testable import StreamCore

/// Runs every record of the shared conformance cases through the decoder and compares the
/// outcome with the case's rejection list. The `late` rows need a watermark, so the decoder must
/// accept them; the engine's tests check that they are then rejected as late.
@Suite struct DecoderConformanceTests {
    /// The shared folder: `MEMESTREAM_SHARED_DIR`, or `shared` beside the package root.
    static var sharedDirectory: URL {
        if let override = ProcessInfo.processInfo.environment["MEMESTREAM_SHARED_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // StreamCoreTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }

    static var caseNames: [String] {
        let casesDirectory = sharedDirectory.appendingPathComponent("cases")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: casesDirectory.path)) ?? []
        return names.filter { name in
            FileManager.default.fileExists(atPath: casesDirectory.appendingPathComponent(name + "/case.json").path)
        }
        .sorted()
    }

    /// One input record of a case.
    struct CaseRecord {
        var partition: Int
        var offset: Int
        var recordTimestamp: Int64?
        var value: [UInt8]
    }

    @Test func sharedCasesArePresent() {
        #expect(!Self.caseNames.isEmpty, "no conformance cases under \(Self.sharedDirectory.path)/cases")
    }

    @Test(arguments: caseNames)
    func decodeOutcomesMatchCase(_ name: String) throws {
        let directory = Self.sharedDirectory.appendingPathComponent("cases/" + name)
        let description = try JSONSerialization.jsonObject(
            with: Data(contentsOf: directory.appendingPathComponent("case.json"))
        )
        let format = try #require((description as? [String: Any])?["input_format"] as? String)
        let records = try Self.readRecords(directory.appendingPathComponent("input.jsonl"), format: format)

        let rejectedFile = try JSONSerialization.jsonObject(
            with: Data(contentsOf: directory.appendingPathComponent("rejected.json"))
        )
        let rejectedRows = try #require((rejectedFile as? [String: Any])?["rejected"] as? [[String: Any]])
        var expectedReasons: [String: String] = [:]
        for row in rejectedRows {
            let partition = try #require(row["partition"] as? Int)
            let offset = try #require(row["offset"] as? Int)
            let reason = try #require(row["reason"] as? String)
            expectedReasons["\(partition)/\(offset)"] = reason
        }

        #expect(!records.isEmpty, "\(name) has no input records")
        var decoderRejections = 0
        for record in records {
            let coordinates = "\(record.partition)/\(record.offset)"
            var expected = expectedReasons[coordinates] ?? "accepted"
            if expected == RejectionReason.late.rawValue {
                expected = "accepted"
            }
            let result = DecoderTestSupport.defaultDecoder.decode(record.value, recordTimestamp: record.recordTimestamp)
            #expect(DecoderTestSupport.outcome(result) == expected, "\(name) record \(coordinates): \(result)")
            if result.rejection != nil {
                decoderRejections += 1
            }
        }
        let lateRows = expectedReasons.values.filter { $0 == RejectionReason.late.rawValue }.count
        #expect(decoderRejections == expectedReasons.count - lateRows)
    }

    /// Reads `events` (one value per line, blank lines skipped, offsets counted over the values)
    /// or `kcat` (envelopes with partition, offset, ts and payload) input.
    static func readRecords(_ file: URL, format: String) throws -> [CaseRecord] {
        let data = try Data(contentsOf: file)
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
        var records: [CaseRecord] = []
        for line in lines {
            if format == "events" {
                records.append(
                    CaseRecord(partition: 0, offset: records.count, recordTimestamp: nil, value: Array(line))
                )
                continue
            }
            let envelope = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            let timestamp = try #require(envelope["ts"] as? Int64)
            let payload = try #require(envelope["payload"] as? String)
            records.append(
                CaseRecord(
                    partition: try #require(envelope["partition"] as? Int),
                    offset: try #require(envelope["offset"] as? Int),
                    recordTimestamp: timestamp < 0 ? nil : timestamp,
                    value: Array(payload.utf8)
                )
            )
        }
        return records
    }
}
