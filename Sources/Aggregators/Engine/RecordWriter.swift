import StreamCore

/// Assembles feature record values into one reused buffer.
///
/// Member order is fixed: `meme_id`, `tick`, `feature_set`, `version`, `features`, and within
/// `features` the set's emitted features in set order.
struct RecordWriter {
    private(set) var bytes: [UInt8] = []
    /// `,"feature_set":"NAME","version":V,"features":`
    private let setMembers: [UInt8]
    /// `"name":` per emitted feature, with a leading comma after the first, back to back.
    private let featurePrefixBytes: [UInt8]
    /// Per emitted feature, the end of its prefix in `featurePrefixBytes`.
    private let featurePrefixEnds: [Int]
    /// Positions of the emitted features among all features, in record order.
    private let emittedIndices: [Int]

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
        bytes.reserveCapacity(1024)
    }

    private mutating func writeHeader(memeID: String, tick: Int64) {
        bytes.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: "{\"meme_id\":".utf8)
        JSONOutput.appendString(memeID, to: &bytes)
        bytes.append(contentsOf: ",\"tick\":".utf8)
        JSONOutput.appendInteger(tick, to: &bytes)
        bytes.append(contentsOf: setMembers)
    }

    /// Writes a feature record from the values of all features, indexed by feature position.
    mutating func writeRecord(memeID: String, tick: Int64, values: UnsafeMutablePointer<FeatureValue>) {
        writeHeader(memeID: memeID, tick: tick)
        bytes.append(UInt8(ascii: "{"))
        featurePrefixBytes.withUnsafeBufferPointer { prefixes in
            emittedIndices.withUnsafeBufferPointer { indices in
                featurePrefixEnds.withUnsafeBufferPointer { ends in
                    var start = 0
                    for position in 0..<indices.count {
                        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: prefixes[start..<ends[position]]))
                        start = ends[position]
                        JSONOutput.appendValue(values[indices[position]], to: &bytes)
                    }
                }
            }
        }
        bytes.append(UInt8(ascii: "}"))
        bytes.append(UInt8(ascii: "}"))
    }

    /// Writes a tombstone: the same object with `"features":null`.
    mutating func writeTombstone(memeID: String, tick: Int64) {
        writeHeader(memeID: memeID, tick: tick)
        bytes.append(contentsOf: "null}".utf8)
    }
}
