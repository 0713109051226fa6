/// The identity of a checkpoint: one input partition of one topic, as processed by one consumer group.
public struct CheckpointKey: Sendable, Hashable, CustomStringConvertible {
    /// The consumer group id.
    public var group: String
    /// The input topic.
    public var topic: String
    /// The input partition.
    public var partition: Int32

    public init(group: String, topic: String, partition: Int32) {
        self.group = group
        self.topic = topic
        self.partition = partition
    }

    /// `group/topic/partition`, the Kafka store's record key and the form logs and errors use.
    public var description: String { "\(group)/\(topic)/\(partition)" }
}

/// A snapshot of one partition's engine state plus the position it belongs to.
///
/// The state bytes are the engine's own versioned encoding (`PartitionEngine.encodeState()`);
/// this layer only wraps, compresses and checks them.
public struct Checkpoint: Sendable, Hashable {
    /// The partition the snapshot belongs to.
    public var key: CheckpointKey
    /// The input offset to resume from: one past the last record the state includes.
    public var nextOffset: Int64
    /// The largest accepted event time of the partition, or `nil` before the first accepted event.
    public var maxEventTime: EventTime?
    /// The last processed tick, or `nil` when no tick has closed yet.
    public var lastTick: EventTime?
    /// Wall-clock time the snapshot was taken, in ms since the epoch. Informational only.
    public var createdAtMilliseconds: Int64
    /// The engine's encoded state, uncompressed.
    public var state: [UInt8]
    /// The id of the Kafka cluster whose input log the state was built from, or `nil` when it was
    /// unknown (and in format-version-1 containers, which do not store it).
    public var clusterID: String?
    /// The fingerprint of the last record the state includes (offset `nextOffset − 1`), or `nil`
    /// when it is not known (format versions 1 and 2, or no record since the start).
    public var lastRecord: RecordFingerprint?

    public init(
        key: CheckpointKey,
        nextOffset: Int64,
        maxEventTime: EventTime?,
        lastTick: EventTime?,
        createdAtMilliseconds: Int64,
        state: [UInt8],
        clusterID: String? = nil,
        lastRecord: RecordFingerprint? = nil
    ) {
        self.key = key
        self.nextOffset = nextOffset
        self.maxEventTime = maxEventTime
        self.lastTick = lastTick
        self.createdAtMilliseconds = createdAtMilliseconds
        self.state = state
        self.clusterID = clusterID
        self.lastRecord = lastRecord
    }
}
