import Aggregators
import StreamCore

/// Connects replay to the feature engine: one ``PartitionEngine`` per input partition, with
/// the feature set and engine settings from the options.
enum ReplayEngineBinding {
    /// Returns a factory for per-partition engines configured from `options`.
    ///
    /// - Throws: ``UsageError`` naming `--feature-set` when the feature set cannot be loaded.
    static func engineFactory(for options: ReplayOptions) throws -> ReplayRunner.EngineFactory {
        engineFactory(featureSet: try featureSet(for: options), options: options)
    }

    /// Returns a factory for per-partition engines running `featureSet`.
    static func engineFactory(featureSet: FeatureSet, options: ReplayOptions) -> ReplayRunner.EngineFactory {
        let configuration = engineConfiguration(for: options)
        return { partition in
            PartitionEngine(partition: partition, featureSet: featureSet, configuration: configuration)
        }
    }

    /// Loads `--feature-set`, or returns the built-in `meme_v1`, validated against `--tick`.
    ///
    /// - Throws: ``UsageError`` naming `--feature-set` or `--tick`.
    static func featureSet(for options: ReplayOptions) throws -> FeatureSet {
        let configuration = engineConfiguration(for: options)
        let featureSet: FeatureSet
        if let path = options.featureSetFile {
            do {
                featureSet = try FeatureSet.load(
                    path: path,
                    registry: .memestream,
                    tickMilliseconds: configuration.tickMilliseconds
                )
            } catch {
                throw UsageError("invalid --feature-set \(path): \(error)")
            }
        } else {
            featureSet = FeatureSet.memeV1
            do {
                try featureSet.validate(tickMilliseconds: configuration.tickMilliseconds)
            } catch {
                throw UsageError("--tick does not fit the built-in meme_v1 feature set: \(error)")
            }
        }
        return featureSet
    }

    /// Returns the engine settings the options set.
    static func engineConfiguration(for options: ReplayOptions) -> EngineConfiguration {
        var configuration = EngineConfiguration()
        configuration.tickMilliseconds = options.tickMilliseconds
        configuration.outOfOrdernessMilliseconds = options.outOfOrdernessMilliseconds
        configuration.allowedLatenessMilliseconds = options.allowedLatenessMilliseconds
        configuration.maxEventBytes = options.maxEventBytes
        configuration.maxFutureSkewMilliseconds = options.maxFutureSkewMilliseconds
        return configuration
    }
}

/// Forwards the engine's emissions and rejections to a ``ReplayOutput``.
struct ReplayEmissionSink: EmissionSink {
    let output: ReplayOutput

    mutating func emit(memeID: String, tick: EventTime, isTombstone: Bool, value: UnsafeRawBufferPointer) {
        output.emit(tick: tick, isTombstone: isTombstone, value: value)
    }

    mutating func reject(_ record: InputRecord, rejection: Rejection) {
        output.reject(
            partition: record.partition,
            offset: record.offset,
            reason: rejection.reason.rawValue,
            detail: rejection.detail
        )
    }
}

extension PartitionEngine: ReplayPartitionEngine {
    var keyMismatchCount: Int { Int(statistics.keyMismatches) }

    func process(_ record: InputRecord, into output: ReplayOutput) {
        var sink = ReplayEmissionSink(output: output)
        process(record, into: &sink)
    }

    func advanceWatermark(to watermark: EventTime, into output: ReplayOutput) {
        var sink = ReplayEmissionSink(output: output)
        advanceWatermark(to: watermark, into: &sink)
    }
}
