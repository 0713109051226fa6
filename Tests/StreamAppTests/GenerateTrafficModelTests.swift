import StreamCore
import Testing

@testable import StreamApp

@Suite struct GenerateTrafficModelTests {
    @Test func popularityIsHeavyTailed() {
        var configuration = GeneratorConfiguration.testing(events: 100_000)
        configuration.badShare = 0
        let sample = GeneratedSample(configuration)
        let decoder = EventDecoder()
        var viewsByMeme: [String: Int] = [:]
        for record in sample.records {
            guard let event = decoder.decode(record.value, recordTimestamp: nil).event, event.type == "view" else {
                continue
            }
            viewsByMeme[event.memeID, default: 0] += 1
        }
        let counts = viewsByMeme.values.sorted(by: >)
        let totalViews = counts.reduce(0, +)
        let topCount = max(1, counts.count / 100)
        let topViews = counts.prefix(topCount).reduce(0, +)
        // With equal popularity the top 1 % would get about 1 % of the views.
        #expect(counts.count > 200)
        #expect(Double(topViews) / Double(totalViews) > 0.2)
    }

    @Test func reactionsAndFieldsAppear() {
        var configuration = GeneratorConfiguration.testing(events: 50_000)
        configuration.badShare = 0
        let sample = GeneratedSample(configuration)
        let decoder = EventDecoder()
        var types: [String: Int] = [:]
        var viewsWithDwell = 0
        var withPublishedAt = 0
        var withUser = 0
        var publishedAfterEvent = 0
        for record in sample.records {
            guard let event = decoder.decode(record.value, recordTimestamp: nil).event else { continue }
            types[event.type, default: 0] += 1
            if event.dwellMilliseconds != nil { viewsWithDwell += 1 }
            if event.userID != nil { withUser += 1 }
            if let published = event.publishedAt {
                withPublishedAt += 1
                if published > event.eventTime { publishedAfterEvent += 1 }
            }
        }
        #expect(Set(types.keys) == ["view", "like", "dislike", "share", "save"])
        let views = Double(types["view"] ?? 0)
        #expect(views / 50_000 > 0.8)
        #expect(Double(viewsWithDwell) / views > 0.9)
        #expect(Double(withUser) / 50_000 > 0.95)
        #expect(withPublishedAt > 20_000)
        #expect(withPublishedAt < 50_000)
        #expect(publishedAfterEvent == 0)
    }

    @Test func delayClassesMatchConfiguredShares() {
        var configuration = GeneratorConfiguration.testing(events: 100_000)
        configuration.badShare = 0
        configuration.lateShare = 0.01
        configuration.straggleShare = 0.03
        let sample = GeneratedSample(configuration)
        var late = 0
        var straggling = 0
        for record in sample.records {
            let delay = record.timestampMilliseconds - record.eventMilliseconds
            if delay >= DeliveryDelay.minimumLateMilliseconds {
                late += 1
            } else if delay >= DeliveryDelay.minimumStragglerMilliseconds {
                straggling += 1
            }
        }
        // The on-time class adds about 0.1 % of delays over 10 s.
        #expect(abs(Double(late) / 100_000 - 0.01) < 0.0015)
        #expect(abs(Double(straggling) / 100_000 - 0.031) < 0.003)
    }

    /// Replays the records in arrival order through the spec's watermark (max ts − 5 s) and
    /// lateness (10 min) rules for a single partition.
    @Test func lateAndOutOfOrderSharesSeenByOnePartition() {
        var configuration = GeneratorConfiguration.testing(events: 100_000)
        configuration.eventsPerSecond = 20  // 100 000 events span about 83 minutes
        configuration.badShare = 0
        configuration.lateShare = 0.01
        configuration.straggleShare = 0.03
        let sample = GeneratedSample(configuration)
        var maxTimestamp = Int64.min
        var late = 0
        var behindWatermark = 0
        var outOfOrder = 0
        for record in sample.records {
            let ts = record.eventMilliseconds
            let watermark = maxTimestamp == .min ? Int64.min : maxTimestamp - 5_000
            if maxTimestamp != .min, ts < watermark - 600_000 {
                late += 1
                continue
            }
            if ts < maxTimestamp { outOfOrder += 1 }
            if maxTimestamp != .min, ts < watermark { behindWatermark += 1 }
            maxTimestamp = max(maxTimestamp, ts)
        }
        // Late arrivals in the last ~20 minutes of event time reach the partition after its
        // traffic ends, when the watermark has not moved far enough to reject all of them.
        let lateShare = Double(late) / 100_000
        #expect(lateShare > 0.007)
        #expect(lateShare <= 0.0105)
        #expect(abs(Double(behindWatermark) / 100_000 - 0.036) < 0.006)
        #expect(Double(outOfOrder) / 100_000 > 0.1)
    }
}
