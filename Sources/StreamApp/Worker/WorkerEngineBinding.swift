import StreamCore

/// Connects the worker to the feature engine.
enum WorkerEngineBinding {
    /// Returns the engine factory for the default feature set, or the one in `featureSetPath`.
    static func factory(featureSetPath: String?) throws -> WorkerEngineFactory {
        // NOTE: the feature engine is not merged into this branch yet, so `run` fails here.
        struct EngineUnavailable: Error, CustomStringConvertible {
            var description: String { "the feature engine is not available in this build" }
        }
        throw EngineUnavailable()
    }
}
