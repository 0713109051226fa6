/// An append-only, ordered record log per checkpoint key: the transport under
/// ``ChunkedCheckpointStore``. The Kafka store implements it with a topic; tests use memory.
public protocol CheckpointLog: AnyObject {
    /// A short description for logs, for example `kafka:memestream.checkpoints`.
    var location: String { get }
    /// The largest record value the log accepts, in bytes.
    var maxRecordBytes: Int { get }

    /// Appends `values` for `key`, in order, and returns once every one is durable (acknowledged).
    func append(_ values: [[UInt8]], for key: CheckpointKey) throws

    /// Calls `body` with every record of `key` from the start of the log to its end at the time of
    /// the call, in append order, with a position string (for example `topic[3]@1042`) for errors.
    func readAll(for key: CheckpointKey, _ body: (_ position: String, _ value: [UInt8]) throws -> Void) throws
}
