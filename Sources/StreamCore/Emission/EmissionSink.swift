/// The receiver of everything a partition engine produces while it processes input.
///
/// The engine calls it synchronously on the caller's thread, in output order: within a
/// partition, ticks in increasing order and, within one tick, keys in ascending `meme_id`
/// byte order. Rejections are reported during the call that received the record.
public protocol EmissionSink {
    /// Receives a feature record or a tombstone.
    ///
    /// - Parameters:
    ///   - memeID: The record key.
    ///   - tick: The tick the record was computed at; also the output record timestamp.
    ///   - isTombstone: `true` when the key's state was dropped after a record had been emitted.
    ///   - value: The compact JSON object `{"meme_id":…,"tick":…,"feature_set":…,"version":…,
    ///     "features":{…}}`. For a tombstone it is the same object with `"features":null`, which is
    ///     what a file gets. A Kafka producer sends a null value instead. The bytes are borrowed
    ///     for the duration of the call only.
    mutating func emit(memeID: String, tick: EventTime, isTombstone: Bool, value: UnsafeRawBufferPointer)

    /// Receives a rejected input record.
    ///
    /// - Parameters:
    ///   - record: The original record; its key and value are borrowed for the call only.
    ///   - rejection: The reason code and a detail naming the field and value.
    mutating func reject(_ record: InputRecord, rejection: Rejection)

    /// Marks the start of tick processing. The engine calls it once when a watermark advance has
    /// closed at least one tick, before it processes the closed ticks and emits their records. A sink that measures tick processing
    /// latency reads its clock here, so records that close no tick cost no clock read.
    ///
    /// The default does nothing.
    mutating func willProcessClosedTicks()
}

extension EmissionSink {
    public mutating func willProcessClosedTicks() {}
}
