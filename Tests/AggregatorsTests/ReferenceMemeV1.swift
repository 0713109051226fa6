import Foundation
import StreamCore

/// A deliberately naive meme_v1 engine for tests: it evaluates every key at every closed tick
/// straight from the formulas over the full event list. The real engine must match it.
struct ReferenceMemeV1 {
    struct KeyState {
        var events: [SyntheticEvent] = []
        var lastEmitted: [String]?
    }

    let tick: Int64 = 10_000
    var maxTs: Int64?
    var lastTick: Int64?
    var keys: [String: KeyState] = [:]
    var output: [String] = []
    var lateCount = 0

    var watermark: Int64? { maxTs.map { $0 - 5_000 } }

    mutating func process(_ event: SyntheticEvent) {
        if let watermark, event.ts < watermark - 600_000 {
            lateCount += 1
            return
        }
        keys[event.memeID, default: KeyState()].events.append(event)
        maxTs = max(maxTs ?? event.ts, event.ts)
        closeTicks(upTo: watermark!)
    }

    mutating func advanceWatermark(to target: Int64) {
        let current = watermark ?? target
        maxTs = max(current, target) + 5_000
        closeTicks(upTo: watermark!)
    }

    private mutating func closeTicks(upTo watermark: Int64) {
        let last = floorTo(watermark, tick)
        var next = lastTick.map { $0 + tick } ?? floorTo(keys.values.flatMap(\.events).map(\.ts).min()!, tick)
        while next <= last, !keys.isEmpty {
            for name in keys.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                visit(name, at: next)
            }
            next += tick
        }
        lastTick = max(lastTick ?? last, last)
    }

    private func floorTo(_ value: Int64, _ step: Int64) -> Int64 {
        let remainder = value % step
        return remainder < 0 ? value - remainder - step : value - remainder
    }

    private func count(_ events: [SyntheticEvent], _ type: String, from: Int64, to: Int64) -> Int64 {
        Int64(events.filter { $0.type == type && $0.ts >= from && $0.ts < to }.count)
    }

    private mutating func visit(_ name: String, at tickTime: Int64) {
        let state = keys[name]!
        let events = state.events
        let t10 = floorTo(tickTime, 10_000)
        let t60 = floorTo(tickTime, 60_000)
        let t3600 = floorTo(tickTime, 3_600_000)
        // Every window lies inside the last 25 hours, so the counts only scan those events.
        let recent = events.filter { $0.ts >= t3600 - 90_000_000 && $0.ts < tickTime }
        let views1m = count(recent, "view", from: t10 - 60_000, to: t10)
        let likes1m = count(recent, "like", from: t10 - 60_000, to: t10)
        let views5m = count(recent, "view", from: t10 - 300_000, to: t10)
        let likes5m = count(recent, "like", from: t10 - 300_000, to: t10)
        let views1h = count(recent, "view", from: t60 - 3_600_000, to: t60)
        let likes1h = count(recent, "like", from: t60 - 3_600_000, to: t60)
        let views24h = count(recent, "view", from: t3600 - 86_400_000, to: t3600)
        let likes24h = count(recent, "like", from: t3600 - 86_400_000, to: t3600)
        let a = count(recent, "view", from: t60 - 300_000, to: t60)
        let b = count(recent, "view", from: t60 - 600_000, to: t60 - 300_000)
        let dwells = events.filter { $0.type == "view" && $0.ts >= t60 - 3_600_000 && $0.ts < t60 }.compactMap(\.dwell)
        let windowsEmpty = views1m + likes1m + views5m + likes5m + views1h + likes1h + views24h + likes24h + a + b == 0
        let hasLater = events.contains { $0.ts >= tickTime }
        if windowsEmpty {
            if !hasLater {
                if state.lastEmitted != nil {
                    output.append(
                        "{\"meme_id\":\"\(name)\",\"tick\":\(tickTime),\"feature_set\":\"meme_v1\",\"version\":1,\"features\":null}"
                    )
                }
                keys[name] = nil
                return
            }
            if state.lastEmitted == nil { return }
        }
        let past = events.filter { $0.ts < tickTime }
        let firstSeen = past.map(\.ts).min()
        let lastEvent = past.map(\.ts).max()
        let published = past.compactMap(\.publishedAt).min()
        let dwellText = dwells.isEmpty ? "null" : (Double(dwells.reduce(0, +)) / Double(dwells.count)).description
        var comparable: [String] = [
            "\"views_1m\":\(views1m)", "\"likes_1m\":\(likes1m)", "\"views_5m\":\(views5m)", "\"likes_5m\":\(likes5m)",
            "\"views_1h\":\(views1h)", "\"likes_1h\":\(likes1h)", "\"views_24h\":\(views24h)",
            "\"likes_24h\":\(likes24h)", "\"view_velocity_5m\":\((Double(views5m) / 5).description)",
            "\"view_acceleration_5m\":\((Double(a - b) / 5).description)",
            "\"like_rate_1h\":\((Double(likes1h + 1) / Double(views1h + 20)).description)",
            "\"dwell_ms_avg_1h\":\(dwellText)",
        ]
        comparable.append("\"first_seen_ms\":\(firstSeen.map { String($0) } ?? "null")")
        comparable.append("\"last_event_ms\":\(lastEvent.map { String($0) } ?? "null")")
        comparable.append("\"published_at_ms\":\(published.map { String($0) } ?? "null")")
        if comparable == state.lastEmitted { return }
        keys[name]!.lastEmitted = comparable
        let origin = published ?? firstSeen
        let age = origin.map { (Double(max(0, tickTime - $0)) / 1000).description } ?? "null"
        let trending = past.filter { $0.type == "view" }.reduce(0.0) {
            $0 + exp2(-Double(tickTime - $1.ts) / 3_600_000)
        }
        let features = (comparable + ["\"age_s\":\(age)", "\"trending_score\":\(trending.description)"]).joined(
            separator: ","
        )
        output.append(
            "{\"meme_id\":\"\(name)\",\"tick\":\(tickTime),\"feature_set\":\"meme_v1\",\"version\":1,\"features\":{\(features)}}"
        )
    }
}
