/// Durable storage for the latest checkpoint of each partition.
///
/// Implementations are used from one thread at a time (the worker's main loop); they need not be
/// thread-safe.
public protocol CheckpointStore: AnyObject {
    /// A short description for logs, for example `dir:/var/lib/memestream`.
    var location: String { get }

    /// Returns where the checkpoint of `key` is kept, for messages that name what to remove.
    func location(of key: CheckpointKey) -> String

    /// Stores `checkpoint` as the latest for its partition. When the call returns the checkpoint
    /// is durable (fsynced, or acknowledged by the broker), so the caller may commit its offset.
    func save(_ checkpoint: Checkpoint) throws

    /// Loads the latest checkpoint of `key`, or `nil` when the store has none.
    ///
    /// - Throws: ``CheckpointError`` when a checkpoint exists but cannot be read; it is never
    ///   reported as "none".
    func load(_ key: CheckpointKey) throws -> Checkpoint?
}

extension CheckpointStore {
    /// Returns ``location``: a store that keeps checkpoints in one place names only that place.
    public func location(of key: CheckpointKey) -> String { location }
}
