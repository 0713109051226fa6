import StreamCore
import Synchronization
import Testing

/// A clock the test moves by hand.
private final class ManualClock: Sendable {
    private let now = Atomic<Int64>(1_000)

    func advance(by milliseconds: Int64) {
        now.add(milliseconds, ordering: .relaxed)
    }

    var milliseconds: Int64 { now.load(ordering: .relaxed) }
}

@Suite struct LoggingRateLimitTests {
    private func entry(_ message: String, offset: Int64 = 0, at time: Int64 = 0) -> LogEntry {
        LogEntry(
            timestampMilliseconds: time,
            level: .info,
            label: "worker",
            message: message,
            metadata: [LogKey.kafkaOffset: .integer(offset)]
        )
    }

    private func rejection(_ metadata: [String: LogValue]) -> LogEntry {
        LogEntry(
            timestampMilliseconds: 0,
            level: .info,
            label: "worker",
            message: "input record rejected",
            metadata: metadata
        )
    }

    @Test func limitThenOneSummaryAfterInterval() throws {
        let sink = InMemoryLogHandler()
        let clock = ManualClock()
        let limiter = RateLimitingLogHandler(wrapping: sink, limit: 3, intervalMilliseconds: 1_000) {
            clock.milliseconds
        }

        for offset in 0..<10 {
            limiter.log(entry("record rejected", offset: Int64(offset)))
        }
        #expect(sink.entries.map(\.message) == Array(repeating: "record rejected", count: 3))

        clock.advance(by: 1_000)
        limiter.log(entry("record rejected", offset: 10))

        let messages = sink.entries.map(\.message)
        #expect(messages.count == 5)
        let summary = sink.entries[3]
        #expect(summary.message == RateLimitingLogHandler.suppressedMessage)
        #expect(summary.metadata[LogKey.suppressed] == .integer(7))
        #expect(summary.metadata["suppressed.message"] == "record rejected")
        // The offsets varied, so the summary names none of them.
        #expect(summary.metadata[LogKey.kafkaOffset] == nil)
        #expect(summary.level == .info)
        #expect(sink.entries[4].metadata[LogKey.kafkaOffset] == .integer(10))
    }

    /// An on-call trial read "reject.reason=malformed_json suppressed=916" as 916 malformed
    /// records, though they covered six reasons: the summary carried the last entry's metadata.
    @Test func summaryKeepsOnlySharedMetadata() {
        let sink = InMemoryLogHandler()
        let clock = ManualClock()
        let limiter = RateLimitingLogHandler(wrapping: sink, limit: 1, intervalMilliseconds: 1_000) {
            clock.milliseconds
        }
        for reason in ["late", "late", "malformed_json"] {
            limiter.log(rejection([LogKey.kafkaPartition: .integer(3), LogKey.rejectionReason: .string(reason)]))
        }
        clock.advance(by: 1_000)
        limiter.flush()
        let summary = sink.entries.last!
        #expect(summary.metadata[LogKey.suppressed] == .integer(2))
        #expect(summary.metadata[LogKey.kafkaPartition] == .integer(3))
        #expect(summary.metadata[LogKey.rejectionReason] == nil)
        #expect(summary.metadata["suppressed." + LogKey.rejectionReason] == "late=1 malformed_json=1")
    }

    /// A summary of 1,982 late records did not contain the word "late".
    @Test func summaryCountsFewVariedValues() throws {
        let sink = InMemoryLogHandler()
        let clock = ManualClock()
        let limiter = RateLimitingLogHandler(wrapping: sink, limit: 1, intervalMilliseconds: 1_000) {
            clock.milliseconds
        }
        let reasons = ["invalid_field"] + Array(repeating: "late", count: 5) + ["invalid_field", "too_large"]
        for (offset, reason) in reasons.enumerated() {
            limiter.log(
                rejection([LogKey.kafkaOffset: .integer(Int64(offset)), LogKey.rejectionReason: .string(reason)])
            )
        }
        clock.advance(by: 1_000)
        limiter.flush()
        let summary = try #require(sink.entries.last)
        #expect(summary.metadata[LogKey.suppressed] == .integer(7))
        #expect(summary.metadata["suppressed." + LogKey.rejectionReason] == "late=5 invalid_field=1 too_large=1")
        // Seven offsets: still few enough to count.
        #expect(summary.metadata["suppressed." + LogKey.kafkaOffset] == "1=1 2=1 3=1 4=1 5=1 6=1 7=1")
    }

    @Test func summaryOmitsManyValuedKeys() throws {
        let sink = InMemoryLogHandler()
        let limiter = RateLimitingLogHandler(wrapping: sink, limit: 1, intervalMilliseconds: 1_000) { 0 }
        for offset in 0..<20 {
            limiter.log(rejection([LogKey.kafkaOffset: .integer(Int64(offset)), LogKey.rejectionReason: "late"]))
        }
        limiter.flush()
        let summary = try #require(sink.entries.last)
        #expect(summary.metadata[LogKey.suppressed] == .integer(19))
        #expect(summary.metadata["suppressed." + LogKey.kafkaOffset] == nil)
        #expect(summary.metadata[LogKey.rejectionReason] == "late")
    }

    @Test func summaryCarriesWriteTime() {
        let sink = InMemoryLogHandler()
        let clock = ManualClock()
        let limiter = RateLimitingLogHandler(wrapping: sink, limit: 1, intervalMilliseconds: 1_000) {
            clock.milliseconds
        }
        limiter.log(entry("noisy", at: 5_000))
        limiter.log(entry("noisy", at: 5_100))
        clock.advance(by: 1_500)
        limiter.log(entry("other", at: 6_600))
        // The summary is written just before "other", so it carries that entry's time.
        #expect(sink.entries.map(\.message) == ["noisy", RateLimitingLogHandler.suppressedMessage, "other"])
        #expect(sink.entries.map(\.timestampMilliseconds) == [5_000, 6_600, 6_600])
    }

    @Test func differentMessagesHaveSeparateBudgets() {
        let sink = InMemoryLogHandler()
        let clock = ManualClock()
        let limiter = RateLimitingLogHandler(wrapping: sink, limit: 1, intervalMilliseconds: 1_000) {
            clock.milliseconds
        }
        limiter.log(entry("a"))
        limiter.log(entry("b"))
        limiter.log(entry("a"))
        #expect(sink.entries.map(\.message) == ["a", "b"])
    }

    @Test func sweepWritesSummaryOfQuietKey() {
        let sink = InMemoryLogHandler()
        let clock = ManualClock()
        let limiter = RateLimitingLogHandler(wrapping: sink, limit: 1, intervalMilliseconds: 1_000) {
            clock.milliseconds
        }
        limiter.log(entry("noisy"))
        limiter.log(entry("noisy"))
        clock.advance(by: 1_500)
        limiter.log(entry("other"))
        #expect(sink.entries.map(\.message) == ["noisy", RateLimitingLogHandler.suppressedMessage, "other"])
    }

    @Test func flushWritesPendingSummaries() {
        let sink = InMemoryLogHandler()
        let clock = ManualClock()
        let limiter = RateLimitingLogHandler(wrapping: sink, limit: 2, intervalMilliseconds: 60_000) {
            clock.milliseconds
        }
        for _ in 0..<5 { limiter.log(entry("x")) }
        limiter.flush()
        #expect(sink.entries.count == 3)
        #expect(sink.entries.last?.metadata[LogKey.suppressed] == .integer(3))
        limiter.flush()
        #expect(sink.entries.count == 3)
    }

    @Test func keysBeyondCapacityPassThrough() {
        let sink = InMemoryLogHandler()
        let clock = ManualClock()
        let limiter = RateLimitingLogHandler(wrapping: sink, limit: 1, intervalMilliseconds: 1_000, maxKeys: 1) {
            clock.milliseconds
        }
        limiter.log(entry("tracked"))
        limiter.log(entry("tracked"))
        for _ in 0..<3 { limiter.log(entry("untracked")) }
        #expect(sink.entries.map(\.message) == ["tracked", "untracked", "untracked", "untracked"])
    }
}
