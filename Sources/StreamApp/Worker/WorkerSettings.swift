import StreamCore

/// The validated settings of the worker's main loop, built from the `run` configuration.
struct WorkerSettings: Sendable {
    /// The consumer group id, also part of every checkpoint key.
    var group: String = "memestream"
    var inputTopic: String = "memes.events"
    var featureTopic: String = "memes.features"
    /// The dead-letter topic; `<input-topic>.dlq` by default.
    var dlqTopic: String = "memes.events.dlq"
    /// The start position of a partition without a checkpoint.
    var startFrom: StartFrom = .earliest
    /// Wall time between periodic checkpoints, in ms.
    var checkpointIntervalMilliseconds: Int64 = 10_000
    /// The live-mode idle rule's timeout in ms of wall time; 0 disables the rule.
    var idleTimeoutMilliseconds: Int64 = 60_000
    /// Most records one poll call returns.
    var maxPollRecords: Int = 10_000
    /// Threads that run the partition engines while the worker thread polls; 0 runs the engines
    /// on the worker thread.
    var engineThreads: Int = 0
    /// How long one poll call waits for records, in ms.
    var pollTimeoutMilliseconds: Int = 100
    /// Upper bound for a graceful shutdown (finish batch, flush, checkpoint, commit, leave), in ms.
    var shutdownTimeoutMilliseconds: Int = 30_000
    /// The producer's `message.max.bytes`: the largest output record librdkafka accepts, in bytes.
    var messageMaxBytes: Int = 1_000_000
    /// Upper bound for one producer flush before a checkpoint, in ms.
    var flushTimeoutMilliseconds: Int = 30_000

    /// The `--start-from` choices.
    enum StartFrom: String, Sendable, CaseIterable {
        case earliest, latest, warmup
    }
}
