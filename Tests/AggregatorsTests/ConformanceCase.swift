import Aggregators
import Foundation
import StreamCore

/// One conformance case folder: input records, expected output and expected rejections.
struct ConformanceCase: CustomStringConvertible {
    /// One input record as the case file gives it.
    struct Input {
        var partition: Int32
        var offset: Int64
        var recordTimestamp: Int64?
        var key: String?
        var value: [UInt8]
    }

    var name: String
    var inputs: [Input]
    var expectedLines: [String]
    /// (partition, offset, reason) per rejected record.
    var expectedRejections: [(Int32, Int64, String)]

    var description: String { name }

    /// The shared folder: `MEMESTREAM_SHARED_DIR`, or `../shared` next to the package root.
    static var sharedDirectory: URL {
        if let path = ProcessInfo.processInfo.environment["MEMESTREAM_SHARED_DIR"] {
            return URL(fileURLWithPath: path)
        }
        // This file is <root>/Tests/AggregatorsTests/ConformanceCase.swift.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.deletingLastPathComponent().appendingPathComponent("shared")
    }

    /// The names of every case folder, sorted; empty when the shared folder is missing.
    static var allNames: [String] {
        let casesDirectory = sharedDirectory.appendingPathComponent("cases")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: casesDirectory.path)) ?? []
        return names.filter {
            FileManager.default.fileExists(
                atPath: casesDirectory.appendingPathComponent($0).appendingPathComponent("case.json").path
            )
        }.sorted()
    }

    static func load(_ name: String) throws -> ConformanceCase {
        let folder = sharedDirectory.appendingPathComponent("cases").appendingPathComponent(name)
        let metadata = try JSONSerialization.jsonObject(
            with: Data(contentsOf: folder.appendingPathComponent("case.json"))
        )
        let format = (metadata as? [String: Any])?["input_format"] as? String ?? "events"
        let inputText = try String(contentsOf: folder.appendingPathComponent("input.jsonl"), encoding: .utf8)
        var inputs: [Input] = []
        for line in inputText.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { continue }
            if format == "kcat" {
                let envelope = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                let timestamp = (envelope["ts"] as? NSNumber)?.int64Value ?? -1
                inputs.append(
                    Input(
                        partition: (envelope["partition"] as! NSNumber).int32Value,
                        offset: (envelope["offset"] as! NSNumber).int64Value,
                        recordTimestamp: timestamp < 0 ? nil : timestamp,
                        key: envelope["key"] as? String,
                        value: Array(((envelope["payload"] as? String) ?? "").utf8)
                    )
                )
            } else {
                inputs.append(
                    Input(
                        partition: 0,
                        offset: Int64(inputs.count),
                        recordTimestamp: nil,
                        key: nil,
                        value: Array(line.utf8)
                    )
                )
            }
        }
        let expectedText = try String(contentsOf: folder.appendingPathComponent("expected.jsonl"), encoding: .utf8)
        let expectedLines = expectedText.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        let rejectedObject =
            try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("rejected.json")))
            as! [String: Any]
        let rejections = (rejectedObject["rejected"] as? [[String: Any]] ?? []).map {
            (
                ($0["partition"] as! NSNumber).int32Value, ($0["offset"] as! NSNumber).int64Value,
                $0["reason"] as! String
            )
        }
        return ConformanceCase(name: name, inputs: inputs, expectedLines: expectedLines, expectedRejections: rejections)
    }

    /// Feeds every input record to `driver`.
    func feed(_ driver: TestDriver, afterEach: (Int) throws -> Void = { _ in }) rethrows {
        for (index, input) in inputs.enumerated() {
            driver.send(
                bytes: input.value,
                partition: input.partition,
                offset: input.offset,
                recordTimestamp: input.recordTimestamp,
                key: input.key.map { Array($0.utf8) }
            )
            try afterEach(index)
        }
    }
}

/// Output lines sorted by tick and then meme_id, as the case files are.
func sortedByTickAndKey(_ records: [EmittedRecord]) -> [String] {
    records.enumerated().sorted { lhs, rhs in
        if lhs.element.tick != rhs.element.tick { return lhs.element.tick < rhs.element.tick }
        if lhs.element.memeID != rhs.element.memeID {
            return lhs.element.memeID.utf8.lexicographicallyPrecedes(rhs.element.memeID.utf8)
        }
        return lhs.offset < rhs.offset
    }.map(\.element.value)
}

/// Describes how `actual` differs from `expected`: member order and names must match, integers
/// exactly and floats to 1e-9 relative. Returns `nil` when they agree.
func differenceBetween(actual: String, expected: String) -> String? {
    guard let actualObject = try? JSONSerialization.jsonObject(with: Data(actual.utf8)) as? [String: Any],
        let expectedObject = try? JSONSerialization.jsonObject(with: Data(expected.utf8)) as? [String: Any]
    else { return "not both JSON objects" }
    for member in ["meme_id", "tick", "feature_set", "version"] {
        guard "\(actualObject[member] ?? "nil")" == "\(expectedObject[member] ?? "nil")" else {
            return "\(member) differs"
        }
    }
    let actualFeatures = actualObject["features"] as? [String: Any]
    let expectedFeatures = expectedObject["features"] as? [String: Any]
    if actualFeatures == nil || expectedFeatures == nil {
        return (actualFeatures == nil) == (expectedFeatures == nil) ? nil : "one is a tombstone"
    }
    guard Set(actualFeatures!.keys) == Set(expectedFeatures!.keys) else { return "feature names differ" }
    for (name, expectedValue) in expectedFeatures! {
        let actualValue = actualFeatures![name]!
        if expectedValue is NSNull || actualValue is NSNull {
            if !(expectedValue is NSNull && actualValue is NSNull) { return "\(name): null vs value" }
            continue
        }
        let lhs = (actualValue as! NSNumber).doubleValue
        let rhs = (expectedValue as! NSNumber).doubleValue
        if lhs != rhs, abs(lhs - rhs) > 1e-9 * max(abs(lhs), abs(rhs)) {
            return "\(name): \(lhs) vs expected \(rhs)"
        }
    }
    // Member order: compare the order of names in the raw text.
    let order = { (text: String) -> [String] in
        let names = Array(expectedFeatures!.keys)
        return names.sorted { text.range(of: "\"\($0)\":")!.lowerBound < text.range(of: "\"\($1)\":")!.lowerBound }
    }
    return order(actual) == order(expected) ? nil : "feature member order differs"
}
