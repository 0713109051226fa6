import Aggregators
import StreamCore

/// Connects the worker to the feature engine (`PartitionEngine` in Aggregators).
enum WorkerEngineBinding {
    /// Returns the engine factory for `featureSet` and `configuration`.
    static func factory(featureSet: FeatureSet, configuration: EngineConfiguration) -> WorkerEngineFactory {
        WorkerEngineFactory(
            featureSetName: featureSet.name,
            featureSetVersion: featureSet.version,
            outOfOrdernessMilliseconds: configuration.outOfOrdernessMilliseconds,
            allowedLatenessMilliseconds: configuration.allowedLatenessMilliseconds,
            largestWindowMilliseconds: featureSet.largestWindowMilliseconds,
            makeEngine: { partition in
                EngineAdapter(
                    PartitionEngine(partition: partition, featureSet: featureSet, configuration: configuration)
                )
            },
            restoreEngine: { state in
                EngineAdapter(
                    try PartitionEngine(restoring: state, featureSet: featureSet, configuration: configuration)
                )
            }
        )
    }

    /// Loads the feature set from `path` (JSON), or returns `meme_v1` when `path` is `nil`.
    /// `tickSource` names where the tick was set, for the error when it does not fit.
    ///
    /// - Throws: ``UsageError`` naming the file and the fault, so `run` exits with status 2.
    static func featureSet(
        path: String?,
        tickMilliseconds: Int64,
        tickSource: ConfigurationSource = .flag("--tick")
    ) throws -> FeatureSet {
        guard let path else {
            // A changed --tick must still divide every hop of the built-in set. Checking here
            // makes a bad value a usage error instead of a failure at partition assignment.
            do {
                try FeatureSet.memeV1.validate(tickMilliseconds: tickMilliseconds)
            } catch {
                throw UsageError("invalid tick from \(tickSource) for the built-in meme_v1 feature set: \(error)")
            }
            return FeatureSet.memeV1
        }
        do {
            return try FeatureSet.load(path: path, registry: .memestream, tickMilliseconds: tickMilliseconds)
        } catch {
            throw UsageError("invalid --feature-set \(path): \(error)")
        }
    }
}

/// Adapts `PartitionEngine` to ``WorkerPartitionEngine``.
private final class EngineAdapter: WorkerPartitionEngine {
    let engine: PartitionEngine

    init(_ engine: PartitionEngine) {
        self.engine = engine
    }

    func process(_ record: InputRecord, into output: WorkerOutput) {
        var sink = OutputSink(output: output)
        engine.process(record, into: &sink)
    }

    func advanceWatermark(to watermark: EventTime, into output: WorkerOutput) {
        var sink = OutputSink(output: output)
        engine.advanceWatermark(to: watermark, into: &sink)
    }

    var nextOffset: Int64? { engine.nextOffset }
    var maxEventTime: EventTime? { engine.maxEventTime }
    var watermark: EventTime? { engine.watermark }
    var lastProcessedTick: EventTime? { engine.lastProcessedTick }
    var keyCount: Int { engine.keyCount }
    var keyMismatchCount: Int { Int(engine.statistics.keyMismatches) }

    func encodeState() -> [UInt8] {
        engine.encodeState()
    }
}

/// Forwards the engine's emissions to a ``WorkerOutput``.
private struct OutputSink: EmissionSink {
    let output: WorkerOutput

    mutating func emit(memeID: String, tick: EventTime, isTombstone: Bool, value: UnsafeRawBufferPointer) {
        output.emit(memeID: memeID, tick: tick, isTombstone: isTombstone, value: value)
    }

    mutating func reject(_ record: InputRecord, rejection: Rejection) {
        output.reject(record, rejection: rejection)
    }

    mutating func willProcessClosedTicks() {
        output.markTicksClosing()
    }
}
