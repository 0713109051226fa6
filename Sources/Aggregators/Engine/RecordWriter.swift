import StreamCore

/// Assembles feature record values into one reused buffer.
///
/// Member order is fixed: `meme_id`, `tick`, `feature_set`, `version`, `features`, and within
/// `features` the set's emitted features in set order.
struct RecordWriter {
    private(set) var bytes: [UInt8] = []
    /// `,"feature_set":"NAME","version":V,"features":`
    private let setMembers: [UInt8]
    /// `"name":` per emitted feature, with a leading comma after the first.
    private let featurePrefixes: [[UInt8]]
    /// Positions of the emitted features among all features, in record order.
    private let emittedIndices: [Int]

    init(featureSet: FeatureSet) {
        var members = Array(",\"feature_set\":".utf8)
        JSONOutput.appendString(featureSet.name, to: &members)
        members.append(contentsOf: ",\"version\":".utf8)
        JSONOutput.appendInteger(Int64(featureSet.version), to: &members)
        members.append(contentsOf: ",\"features\":".utf8)
        setMembers = members
        featurePrefixes = featureSet.emittedFeatures.enumerated().map { position, feature in
            var prefix: [UInt8] = position == 0 ? [] : [UInt8(ascii: ",")]
            JSONOutput.appendString(feature.name, to: &prefix)
            prefix.append(UInt8(ascii: ":"))
            return prefix
        }
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
        for (position, index) in emittedIndices.enumerated() {
            bytes.append(contentsOf: featurePrefixes[position])
            JSONOutput.appendValue(values[index], to: &bytes)
        }
        bytes.append(contentsOf: "}}".utf8)
    }

    /// Writes a tombstone: the same object with `"features":null`.
    mutating func writeTombstone(memeID: String, tick: Int64) {
        writeHeader(memeID: memeID, tick: tick)
        bytes.append(contentsOf: "null}".utf8)
    }
}
