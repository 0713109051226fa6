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
    /// Per emitted feature, its prefix again in a zero-padded slot of ``prefixSlotBytes`` bytes
    /// when it fits, so the loop copies a fixed size with no call; 0 marks one that does not fit.
    private let prefixSlots: UnsafeMutableRawPointer
    private let prefixSlotLengths: UnsafeMutablePointer<Int>
    private static let prefixSlotBytes = 32
    /// Positions of the emitted features among all features, in record order.
    private let emittedIndices: [Int]
    /// The last tick written and its digits, which every record of a tick repeats.
    private var cachedTick = Int64.min
    private var cachedTickDigits: (UInt64, UInt64, UInt64) = (0, 0, 0)
    private var cachedTickLength = 0
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
        let slotBytes = Self.prefixSlotBytes
        let slots = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(1, ends.count) * slotBytes, alignment: 8)
        slots.initializeMemory(as: UInt8.self, repeating: 0, count: Swift.max(1, ends.count) * slotBytes)
        var lengths: [Int] = []
        for (position, end) in ends.enumerated() {
            let start = position == 0 ? 0 : ends[position - 1]
            let length = end - start
            if length <= slotBytes {
                prefixes.withUnsafeBytes { bytes in
                    (slots + position * slotBytes).copyMemory(from: bytes.baseAddress! + start, byteCount: length)
                }
                lengths.append(length)
            } else {
                lengths.append(0)
            }
        }
        prefixSlots = slots
        prefixSlotLengths = .allocate(capacity: Swift.max(1, lengths.count))
        _ = UnsafeMutableBufferPointer(start: prefixSlotLengths, count: lengths.count).initialize(from: lengths)
        emittedIndices = featureSet.features.indices.filter { featureSet.features[$0].isEmitted }
        // A key of 255 bytes escaped as \u00XX each, every value at its longest, the punctuation.
        // The fixed-size copies may write up to one slot past the end of the last prefix.
        let capacity =
            64 + 255 * 6 + setMembers.count + featurePrefixBytes.count
            + emittedIndices.count * Swift.max(JSONOutput.maximumDoubleBytes, JSONOutput.maximumIntegerBytes)
            + Self.prefixSlotBytes
        buffer = .allocate(capacity: capacity)
    }

    deinit {
        buffer.deallocate()
        prefixSlots.deallocate()
        prefixSlotLengths.deallocate()
    }

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
        if tick != cachedTick {
            cachedTick = tick
            cachedTickLength = withUnsafeMutableBytes(of: &cachedTickDigits) { digits in
                JSONOutput.writeInteger(tick, to: digits.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        // The 24 stored bytes hold the longest integer (20 bytes), and the buffer has room for them.
        UnsafeMutableRawPointer(buffer + count).storeBytes(of: cachedTickDigits, as: (UInt64, UInt64, UInt64).self)
        count += cachedTickLength
        append(setMembers)
    }

    /// Copies a prefix slot's ``prefixSlotBytes`` bytes at once and keeps `length` of them.
    @inline(__always)
    private func appendPrefixSlot(_ position: Int, length: Int) {
        let source = UnsafeRawPointer(prefixSlots + position * Self.prefixSlotBytes)
        let target = UnsafeMutableRawPointer(buffer + count)
        for word in 0..<(Self.prefixSlotBytes / 8) {
            target.storeBytes(
                of: source.load(fromByteOffset: word * 8, as: UInt64.self),
                toByteOffset: word * 8,
                as: UInt64.self
            )
        }
        count += length
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
                        let slotLength = prefixSlotLengths[position]
                        if slotLength > 0 {
                            appendPrefixSlot(position, length: slotLength)
                        } else {
                            append(UnsafeRawBufferPointer(rebasing: prefixes[start..<ends[position]]))
                        }
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
