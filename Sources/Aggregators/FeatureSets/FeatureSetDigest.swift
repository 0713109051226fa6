import CXXHash
import StreamCore

extension FeatureSet {
    /// A 64-bit digest of the set's definition: the set's name and version, and per feature its
    /// name, kind, emission, aggregator, parameters, filter, size, hop and expression text
    /// without white space, in definition order.
    ///
    /// Engine state stores it (format version 5 and later), so an engine running another
    /// definition under the same name and version rejects the state. Two definitions share a
    /// digest with a probability of about 2^-64. An aggregator is covered by its name and its
    /// ``Aggregator/stateFormatVersion``. So settings of an aggregator built in code that are not
    /// in `parameters` are not covered.
    /// - Complexity: O(n) in the size of the definition; compute it once per engine.
    public var definitionDigest: UInt64 {
        var writer = StateWriter()
        writer.writeString(name)
        writer.writeInt64(Int64(version))
        writer.writeUInt32(UInt32(features.count))
        for feature in features {
            writer.writeString(feature.name)
            writer.writeString(feature.kind.rawValue)
            writer.writeBool(feature.isEmitted)
            switch feature.computation {
            case .aggregate(let specification):
                writer.writeUInt8(0)
                // Version 1 adds nothing, so the digests of sets written before versions existed,
                // meme_v1's among them, stay as checkpoints hold them.
                let stateVersion = specification.aggregator.stateFormatVersion
                writer.writeString(
                    specification.aggregatorName + (stateVersion == 1 ? "" : "#state-format-\(stateVersion)")
                )
                writer.writeString(specification.eventType ?? "")
                writer.writeBool(specification.eventType != nil)
                writer.writeOptionalInt64(specification.sizeMilliseconds)
                writer.writeOptionalInt64(specification.hopMilliseconds)
                let names = specification.parameters.keys.sorted { Array($0.utf8).lexicographicallyPrecedes($1.utf8) }
                writer.writeUInt32(UInt32(names.count))
                for name in names {
                    writer.writeString(name)
                    Self.writeParameter(specification.parameters[name]!, into: &writer)
                }
            case .expression(_, let text):
                writer.writeUInt8(1)
                writer.writeString(
                    String(text.unicodeScalars.filter { !$0.properties.isWhitespace }.map(Character.init))
                )
            }
        }
        return writer.bytes.withUnsafeBytes { buffer in
            var low: UInt64 = 0
            var high: UInt64 = 0
            memestream_xxh3_128(buffer.baseAddress, buffer.count, &low, &high)
            return low
        }
    }

    private static func writeParameter(_ value: ParameterValue, into writer: inout StateWriter) {
        switch value {
        case .integer(let integer):
            writer.writeUInt8(0)
            writer.writeInt64(integer)
        case .float(let float):
            writer.writeUInt8(1)
            writer.writeDouble(float)
        case .string(let string):
            writer.writeUInt8(2)
            writer.writeString(string)
        case .bool(let bool):
            writer.writeUInt8(3)
            writer.writeBool(bool)
        }
    }
}
