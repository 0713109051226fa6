import Foundation
import StreamCore

// NOTE: interim decoder until the strict EventDecoder lands in StreamCore. It accepts well-formed
// events with integer timestamps only and reports every other problem as malformed_json or
// invalid_timestamp, so rejection reasons are not yet exact.
enum InterimEventDecoder {
    static func decode(_ record: InputRecord, configuration: EngineConfiguration) -> Result<Event, Rejection> {
        guard record.value.count <= configuration.maxEventBytes else {
            return .failure(Rejection(reason: .tooLarge, detail: "value has \(record.value.count) bytes"))
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(record.value)) as? [String: Any] else {
            return .failure(Rejection(reason: .malformedJSON, detail: "value is not a JSON object"))
        }
        guard let memeID = object["meme_id"] as? String, !memeID.isEmpty,
            let type = object["type"] as? String, !type.isEmpty
        else {
            return .failure(Rejection(reason: .missingField, detail: "meme_id or type is missing"))
        }
        guard let ts = (object["ts"] as? NSNumber)?.int64Value, ts >= 1_000_000_000_000, ts < 10_000_000_000_000 else {
            return .failure(Rejection(reason: .invalidTimestamp, detail: "ts is not integer milliseconds"))
        }
        if let recordTimestamp = record.recordTimestamp, ts > recordTimestamp + configuration.maxFutureSkewMilliseconds
        {
            return .failure(Rejection(reason: .futureTimestamp, detail: "ts \(ts) is after \(recordTimestamp)"))
        }
        let publishedAt = (object["published_at"] as? NSNumber).map { EventTime(rawValue: $0.int64Value) }
        return .success(
            Event(
                memeID: memeID,
                type: type,
                eventTime: EventTime(rawValue: ts),
                userID: object["user_id"] as? String,
                publishedAt: publishedAt,
                dwellMilliseconds: (object["dwell_ms"] as? NSNumber)?.int64Value
            )
        )
    }
}
