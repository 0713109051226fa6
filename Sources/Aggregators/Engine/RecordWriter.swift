import StreamCore

/// Assembles feature record values into one reused buffer.
///
/// Member order is fixed: `meme_id`, `tick`, `feature_set`, `version`, `features`, and within
/// `features` the set's emitted features in set order. The buffer is sized at creation for the
/// longest possible record, so writing a record never allocates or checks capacity.
/// Not thread-safe: owned by one partition engine.
final class RecordWriter {
    private let buffer: UnsafeMutablePointer<UInt8>
    private var count = 0
    /// `{"meme_id":`
    private let opening: [UInt8] = Array(#"{"meme_id":"#.utf8)
    /// `,"tick":`
    private let tickMember: [UInt8] = Array(#","tick":"#.utf8)
    /// `,"feature_set":"NAME","version":V,"features":`
    private let setMembers: [UInt8]
    /// `"name":` per emitted feature, with a leading comma after the first, back to back.
    private let featurePrefixBytes: [UInt8]
    /// Per emitted feature, the end of its prefix in `featurePrefixBytes`.
    private let featurePrefixEnds: [Int]
    /// Positions of the emitted features among all features, in record order.
    private let emittedIndices: [Int]
    /// Scratch for a key that needs escapes.
    private var escapedKey: [UInt8] = []

    init(featureSet: FeatureSet) {
        var members = Array(",\"feature_set\":".utf8)
        JSONOutput.appendString(featureSet.name, to: &members)
        members.append(contentsOf: ",\"version\":".utf8)
        JSONOutput.appendInteger(Int64(featureSet.version), to: &members)
        members.append(contentsOf: ",\"features\":".utf8)
        setMembers = members
        var prefixes: [UInt8] = []
        var ends: [Int] = []
        for (position, feature) in featureSet.emittedFeatures.enumerated() {
            if position > 0 { prefixes.append(UInt8(ascii: ",")) }
            JSONOutput.appendString(feature.name, to: &prefixes)
            prefixes.append(UInt8(ascii: ":"))
            ends.append(prefixes.count)
        }
        featurePrefixBytes = prefixes
        featurePrefixEnds = ends
        emittedIndices = featureSet.features.indices.filter { featureSet.features[$0].isEmitted }
        // A key of 255 bytes escaped as \u00XX each, every value at its longest, the punctuation.
        let capacity =
            64 + 255 * 6 + setMembers.count + featurePrefixBytes.count
            + emittedIndices.count * Swift.max(JSONOutput.maximumDoubleBytes, JSONOutput.maximumIntegerBytes)
        buffer = .allocate(capacity: capacity)
    }

    deinit { buffer.deallocate() }

    /// The last record or tombstone written, valid until the next write.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: buffer, count: count) }

    @inline(__always)
    private func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        UnsafeMutableRawPointer(buffer + count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        count += bytes.count
    }

    @inline(__always)
    private func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    @inline(__always)
    private func append(_ byte: UInt8) {
        buffer[count] = byte
        count += 1
    }

    @inline(__always)
    private func appendInteger(_ value: Int64) {
        count += JSONOutput.writeInteger(value, to: buffer + count)
    }

    /// Writes `key` as a JSON string.
    private func appendKey(_ key: UnsafeRawBufferPointer) {
        let needsEscape = key.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        guard needsEscape else {
            append(UInt8(ascii: "\""))
            append(key)
            append(UInt8(ascii: "\""))
            return
        }
        escapedKey.removeAll(keepingCapacity: true)
        JSONOutput.appendString(String(decoding: key, as: UTF8.self), to: &escapedKey)
        append(escapedKey)
    }

    private func writeHeader(key: UnsafeRawBufferPointer, tick: Int64) {
        count = 0
        append(opening)
        appendKey(key)
        append(tickMember)
        appendInteger(tick)
        append(setMembers)
    }

    /// Writes a feature record for the key with `meme_id` bytes `key` from the values of all
    /// features, indexed by feature position.
    func writeRecord(key: UnsafeRawBufferPointer, tick: Int64, values: UnsafeMutablePointer<FeatureValue>) {
        writeHeader(key: key, tick: tick)
        append(UInt8(ascii: "{"))
        featurePrefixBytes.withUnsafeBytes { prefixes in
            emittedIndices.withUnsafeBufferPointer { indices in
                featurePrefixEnds.withUnsafeBufferPointer { ends in
                    var start = 0
                    for position in 0..<indices.count {
                        append(UnsafeRawBufferPointer(rebasing: prefixes[start..<ends[position]]))
                        start = ends[position]
                        switch values[indices[position]] {
                        case .integer(let integer): appendInteger(integer)
                        case .float(let double): count += JSONOutput.writeDouble(double, to: buffer + count)
                        case .null: append(UnsafeRawBufferPointer(Self.null))
                        }
                    }
                }
            }
        }
        append(UInt8(ascii: "}"))
        append(UInt8(ascii: "}"))
    }

    /// Writes a tombstone: the same object with `"features":null`.
    func writeTombstone(key: UnsafeRawBufferPointer, tick: Int64) {
        writeHeader(key: key, tick: tick)
        append(UnsafeRawBufferPointer(Self.null))
        append(UInt8(ascii: "}"))
    }

    private static let null: StaticString = "null"
}

extension UnsafeRawBufferPointer {
    /// Creates a view of a static string's bytes.
    fileprivate init(_ text: StaticString) {
        self.init(start: text.utf8Start, count: text.utf8CodeUnitCount)
    }
}
