import Synchronization

/// A handler that passes at most `limit` entries per key and interval to another handler, and then
/// one summary entry saying how many similar entries it dropped.
///
/// Two entries are similar when they share label, level and message. Messages are constant text,
/// so this groups, for example, every "record rejected" entry of one logger. Windows are fixed:
/// the first entry of a key opens a window of `interval`. The summary (message
/// ``suppressedMessage``, metadata ``LogKey/suppressed`` = count and `suppressed.message` = the
/// original message, level of the original) carries only the metadata that every suppressed
/// entry shared: a key whose value varied (a rejection reason, an offset) is left out, so the
/// summary never names one entry's value for all of them. A varied key with at most
/// ``maximumCountedValues`` values gets `suppressed.<key>` instead, such as
/// `late=1982 invalid_field=34`, most frequent first. It is written when the key's next entry arrives after
/// the window, when a sweep finds the window expired (sweeps run at most once per interval, on
/// any entry), or on ``flush()``.
///
/// Memory is bounded by `maxKeys`; entries of keys beyond that pass through unlimited rather than
/// being lost. Thread safety: state sits behind a lock, and the wrapped handler is called outside it.
public final class RateLimitingLogHandler: LogHandler {
    /// The message of a summary entry.
    public static let suppressedMessage = "suppressed similar entries"
    /// The maximum number of values of one varied metadata key that a summary counts. A key with
    /// more (an offset, a detail text) is left out.
    public static let maximumCountedValues = 8

    private struct Key: Hashable {
        var label: String
        var level: LogLevel
        var message: String
    }

    private struct Window {
        var start: Int64
        var passed: Int
        var suppressed: Int
        var lastEntry: LogEntry
        /// The metadata every suppressed entry of the window had, key and value alike.
        var sharedMetadata: [String: LogValue] = [:]
        /// Per metadata key whose value varied, the suppressed entries per value.
        var valueCounts: [String: [LogValue: Int]] = [:]

        /// Adds a suppressed entry's metadata to the shared metadata and the value counts.
        /// - Complexity: O(metadata keys).
        mutating func noteSuppressed(_ metadata: [String: LogValue]) {
            defer { suppressed += 1 }
            if suppressed == 0 {
                sharedMetadata = metadata
                return
            }
            for (key, value) in sharedMetadata where metadata[key] != value {
                // Every suppressed entry so far had the shared value.
                valueCounts[key] = [value: suppressed]
                sharedMetadata[key] = nil
            }
            for (key, counts) in valueCounts {
                guard let value = metadata[key] else { continue }
                var counts = counts
                counts[value, default: 0] += 1
                if counts.count > RateLimitingLogHandler.maximumCountedValues {
                    valueCounts[key] = nil
                } else {
                    valueCounts[key] = counts
                }
            }
        }
    }

    private struct State {
        var windows: [Key: Window] = [:]
        var nextSweep: Int64 = .min
    }

    private let wrapped: any LogHandler
    private let limit: Int
    private let intervalMilliseconds: Int64
    private let maxKeys: Int
    private let clock: @Sendable () -> Int64
    private let state = Mutex(State())

    /// Creates a rate limiter.
    ///
    /// - Parameters:
    ///   - wrapped: Receives the entries that pass and the summaries.
    ///   - limit: Entries per key and window that pass; at least 1.
    ///   - intervalMilliseconds: Window length in ms; at least 1.
    ///   - maxKeys: Keys tracked at once; default 1024.
    ///   - clock: A monotonic clock in ms, injectable for tests; default `CLOCK_MONOTONIC`.
    public init(
        wrapping wrapped: any LogHandler,
        limit: Int,
        intervalMilliseconds: Int64,
        maxKeys: Int = 1_024,
        clock: @escaping @Sendable () -> Int64 = MonotonicClock.milliseconds
    ) {
        precondition(limit >= 1, "RateLimitingLogHandler: limit must be at least 1, got \(limit)")
        precondition(
            intervalMilliseconds >= 1,
            "RateLimitingLogHandler: interval must be at least 1 ms, got \(intervalMilliseconds)"
        )
        self.wrapped = wrapped
        self.limit = limit
        self.intervalMilliseconds = intervalMilliseconds
        self.maxKeys = max(1, maxKeys)
        self.clock = clock
    }

    public func log(_ entry: LogEntry) {
        let now = clock()
        let key = Key(label: entry.label, level: entry.level, message: entry.message)
        let (summaries, passes) = state.withLock { state -> ([LogEntry], Bool) in
            var summaries: [LogEntry] = []
            if now >= state.nextSweep {
                sweep(&state, now: now, writtenAt: entry.timestampMilliseconds, into: &summaries)
                state.nextSweep = now + intervalMilliseconds
            }

            if var window = state.windows[key] {
                if now - window.start >= intervalMilliseconds {
                    if let summary = summary(of: window, writtenAt: entry.timestampMilliseconds) {
                        summaries.append(summary)
                    }
                    window = Window(start: now, passed: 0, suppressed: 0, lastEntry: entry)
                }
                window.lastEntry = entry
                let passes = window.passed < limit
                if passes {
                    window.passed += 1
                } else {
                    // O(keys) per suppressed entry; entries that pass cost nothing more.
                    window.noteSuppressed(entry.metadata)
                }
                state.windows[key] = window
                return (summaries, passes)
            }

            if state.windows.count < maxKeys {
                state.windows[key] = Window(start: now, passed: 1, suppressed: 0, lastEntry: entry)
            }
            return (summaries, true)
        }

        for summary in summaries { wrapped.log(summary) }
        if passes { wrapped.log(entry) }
    }

    /// Writes the summaries of every window that dropped entries and clears all windows.
    /// Call it at shutdown so that the last counts are not lost.
    public func flush() {
        let now = Logger.wallClockMilliseconds()
        let summaries = state.withLock { state -> [LogEntry] in
            let pending = state.windows.values.compactMap { summary(of: $0, writtenAt: now) }
            state.windows.removeAll()
            return pending
        }
        for summary in summaries.sorted(by: { $0.timestampMilliseconds < $1.timestampMilliseconds }) {
            wrapped.log(summary)
        }
    }

    private func sweep(_ state: inout State, now: Int64, writtenAt: Int64, into summaries: inout [LogEntry]) {
        for (key, window) in state.windows where now - window.start >= intervalMilliseconds {
            if let summary = summary(of: window, writtenAt: writtenAt) { summaries.append(summary) }
            state.windows[key] = nil
        }
    }

    /// Returns the summary of a window that dropped entries, stamped `writtenAt` (wall ms), or the
    /// last dropped entry's time when that is later, so it is not dated before the lines ahead of it.
    private func summary(of window: Window, writtenAt: Int64) -> LogEntry? {
        guard window.suppressed > 0 else { return nil }
        let last = window.lastEntry
        var metadata = window.sharedMetadata
        metadata[LogKey.suppressed] = .integer(Int64(window.suppressed))
        metadata["suppressed.message"] = .string(last.message)
        for (key, counts) in window.valueCounts {
            let ordered = counts.sorted { $0.value != $1.value ? $0.value > $1.value : "\($0.key)" < "\($1.key)" }
            metadata["suppressed." + key] = .string(ordered.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
        return LogEntry(
            timestampMilliseconds: Swift.max(writtenAt, last.timestampMilliseconds),
            level: last.level,
            label: last.label,
            message: Self.suppressedMessage,
            metadata: metadata,
            file: last.file,
            line: last.line
        )
    }
}
