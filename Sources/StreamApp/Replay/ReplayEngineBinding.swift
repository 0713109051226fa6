import StreamCore

/// Connects replay to the feature engine: builds one engine per partition from the options.
enum ReplayEngineBinding {
    /// Returns a factory for per-partition engines configured from `options`.
    ///
    /// - Throws: ``UsageError`` when the feature set cannot be loaded.
    static func engineFactory(for options: ReplayOptions) throws -> ReplayRunner.EngineFactory {
        // NOTE: the feature engine is not merged into this branch yet, so replay cannot compute
        // features and fails here with a runtime error.
        struct EngineUnavailable: Error, CustomStringConvertible {
            var description: String { "the feature engine is not available in this build" }
        }
        throw EngineUnavailable()
    }
}
