import Foundation
import StreamCore

/// One synthetic event value with the fields the engine reads.
struct SyntheticEvent {
    var memeID: String
    var type: String
    var ts: Int64
    var publishedAt: Int64?
    var dwell: Int64?
    var userID: String?

    var json: String {
        var members = ["\"meme_id\":\"\(memeID)\"", "\"type\":\"\(type)\"", "\"ts\":\(ts)"]
        if let userID { members.append("\"user_id\":\"\(userID)\"") }
        if let publishedAt { members.append("\"published_at\":\(publishedAt)") }
        if let dwell { members.append("\"dwell_ms\":\(dwell)") }
        return "{" + members.joined(separator: ",") + "}"
    }
}

/// A random but reproducible event stream: a few keys, views, likes and other types, jitter
/// within the out-of-orderness, some late events (some beyond the allowed lateness), and quiet
/// gaps from minutes up to `longestGapMilliseconds`.
func syntheticEvents(
    seed: UInt64,
    count: Int,
    keys: Int = 5,
    start: Int64 = 1_700_000_000_000,
    longestGapMilliseconds: Int64 = 40 * 60_000
) -> [SyntheticEvent] {
    var generator = SplitMix64(seed: seed)
    var clock = start
    var events: [SyntheticEvent] = []
    let types = ["view", "view", "view", "like", "share"]
    for _ in 0..<count {
        let roll = Int.random(in: 0..<100, using: &generator)
        if roll < 3 {
            clock += Int64.random(in: 60_000...longestGapMilliseconds, using: &generator)
        } else {
            clock += Int64.random(in: 0...4_000, using: &generator)
        }
        var ts = clock + Int64.random(in: -4_000...0, using: &generator)
        if roll >= 3, roll < 8 {
            // Late: between a few seconds and 12 minutes behind, so some exceed the allowed lateness.
            ts = clock - Int64.random(in: 5_000...720_000, using: &generator)
        }
        let type = types[Int.random(in: 0..<types.count, using: &generator)]
        let key = "m\(Int.random(in: 0..<keys, using: &generator))"
        let published: Int64? =
            Int.random(in: 0..<4, using: &generator) == 0 ? ts - Int64.random(in: 0...900_000, using: &generator) : nil
        let dwell: Int64? =
            type == "view" && Bool.random(using: &generator) ? Int64.random(in: 0...30_000, using: &generator) : nil
        let user = Int.random(in: 0..<3, using: &generator) == 0 ? nil : "u\(Int.random(in: 0..<50, using: &generator))"
        events.append(
            SyntheticEvent(memeID: key, type: type, ts: ts, publishedAt: published, dwell: dwell, userID: user)
        )
    }
    return events
}
