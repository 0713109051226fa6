import StreamCore
import Testing

@testable import StreamApp

@Suite struct GenerateBadRecordTests {
    static let decoder = EventDecoder()

    /// 100 000 records with 10 % bad ones per output format, generated once for the tests that
    /// check reasons and shares.
    static let samples: [GeneratorConfiguration.OutputFormat: (GeneratorConfiguration, GeneratedSample)] = {
        var samples: [GeneratorConfiguration.OutputFormat: (GeneratorConfiguration, GeneratedSample)] = [:]
        for format in GeneratorConfiguration.OutputFormat.allCases {
            var configuration = GeneratorConfiguration.testing(events: 100_000)
            configuration.outputFormat = format
            configuration.badShare = 0.1
            samples[format] = (configuration, GeneratedSample(configuration))
        }
        return samples
    }()

    /// Decodes every record with the real decoder, passing the record timestamp only when the
    /// output format carries one, as replay and the worker do.
    static func decodedReasons(
        _ sample: GeneratedSample,
        withRecordTimestamps: Bool
    ) -> [(intended: RejectionReason?, decoded: RejectionReason?)] {
        sample.records.map { record in
            let timestamp = withRecordTimestamps ? record.timestampMilliseconds : nil
            let result = decoder.decode(record.value, recordTimestamp: timestamp)
            return (record.intendedRejection, result.rejection?.reason)
        }
    }

    @Test(arguments: GeneratorConfiguration.OutputFormat.allCases)
    func decoderGivesEveryIntendedReason(format: GeneratorConfiguration.OutputFormat) throws {
        let (configuration, sample) = try #require(Self.samples[format])
        let pairs = Self.decodedReasons(sample, withRecordTimestamps: configuration.carriesRecordTimestamps)

        let mismatches = pairs.filter { $0.intended != $0.decoded }
        #expect(mismatches.isEmpty, "first mismatches: \(mismatches.prefix(5))")
    }

    @Test(arguments: GeneratorConfiguration.OutputFormat.allCases)
    func shareOfEachReasonMatchesConfiguration(format: GeneratorConfiguration.OutputFormat) throws {
        let (configuration, sample) = try #require(Self.samples[format])
        let expectedShares = TrafficGenerator(configuration: configuration).defectReasonShares
        let pairs = Self.decodedReasons(sample, withRecordTimestamps: configuration.carriesRecordTimestamps)

        var counts: [RejectionReason: Int] = [:]
        for pair in pairs {
            if let reason = pair.decoded { counts[reason, default: 0] += 1 }
        }
        let total = Double(sample.records.count)
        let badCount = Double(counts.values.reduce(0, +))
        #expect(abs(badCount / total - 0.1) < 0.005)

        for reason in RejectionReason.allCases where reason != .late {
            let expected = configuration.badShare * (expectedShares[reason] ?? 0) * total
            let observed = Double(counts[reason] ?? 0)
            // Five binomial standard deviations plus one record.
            let tolerance = 5 * expected.squareRoot() + 1
            #expect(abs(observed - expected) <= tolerance, "\(reason.rawValue): expected \(expected), got \(observed)")
        }
    }

    @Test func eventsFormatHasNoFutureTimestamps() {
        let configuration = GeneratorConfiguration.testing(events: 1)
        let shares = TrafficGenerator(configuration: configuration).defectReasonShares
        #expect(shares[.futureTimestamp] == nil)
        #expect(shares[.tooLarge] != nil)
    }

    @Test func kcatFormatCoversEveryContentReason() {
        var configuration = GeneratorConfiguration.testing(events: 1)
        configuration.outputFormat = .kcat
        let shares = TrafficGenerator(configuration: configuration).defectReasonShares
        for reason in RejectionReason.allCases where reason != .late {
            #expect(shares[reason] ?? 0 > 0, "\(reason.rawValue) is never generated")
        }
    }

    @Test func everyDefectIsGenerated() {
        var configuration = GeneratorConfiguration.testing(events: 50_000)
        configuration.outputFormat = .kcat
        configuration.badShare = 0.2
        let sample = GeneratedSample(configuration)
        var seen: Set<RejectionReason> = []
        for record in sample.records {
            if let reason = record.intendedRejection { seen.insert(reason) }
        }
        #expect(seen == Set(RejectionReason.allCases).subtracting([.late]))
    }

    @Test func keyMismatchUsesUserID() {
        var configuration = GeneratorConfiguration.testing(events: 20_000)
        configuration.keyMismatchShare = 0.05
        configuration.badShare = 0
        let sample = GeneratedSample(configuration)
        var mismatched = 0
        for record in sample.records {
            let event = Self.decoder.decode(record.value, recordTimestamp: nil).event
            let keyText = String(decoding: record.key, as: UTF8.self)
            if record.hasMismatchedKey {
                mismatched += 1
                #expect(keyText != event?.memeID)
            } else {
                #expect(keyText == event?.memeID)
            }
            // Partitioning always follows the meme, so a meme's state stays in one partition.
            #expect(String(decoding: record.partitionKey, as: UTF8.self) == event?.memeID)
        }
        #expect(abs(Double(mismatched) / 20_000 - 0.05) < 0.01)
    }
}
