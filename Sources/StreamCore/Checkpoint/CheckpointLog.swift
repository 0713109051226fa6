/// An append-only, ordered record log: the transport under ``ChunkedCheckpointStore``. The Kafka
/// store implements it with a topic; tests use memory.
///
/// Every record of one checkpoint key has a record key equal to ``CheckpointKey/description`` or
/// starting with it followed by `#`. An implementation keeps all of them in one ordered stream (one
/// Kafka partition), and may compact them: keep only the last record per record key.
public protocol CheckpointLog: AnyObject {
    /// A short description for logs, for example `kafka:memestream.checkpoints`.
    var location: String { get }
    /// The largest record value the log accepts, in bytes.
    var maxRecordBytes: Int { get }

    /// Appends `records` (record key, value) for `checkpoint`, in order, and returns once every
    /// one is durable (acknowledged).
    func append(_ records: [(key: String, value: [UInt8])], for checkpoint: CheckpointKey) throws

    /// Calls `body` with every record of `checkpoint` from the start of the log to its end at the
    /// time of the call, in append order, with a position string (for example `topic[3]@1042`)
    /// for error messages. The value is `nil` for a tombstone (a null value) on the key
    /// ``CheckpointKey/description``, which deletes the checkpoint; tombstones on chunk keys are
    /// left out.
    func readAll(for checkpoint: CheckpointKey, _ body: (_ position: String, _ value: [UInt8]?) throws -> Void) throws
}
