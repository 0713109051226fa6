import Foundation

/// One sample of everything the demo shows, taken once per refresh.
struct DemoStatus {
    /// Wall time since the demo started, in seconds.
    var elapsedSeconds: Double
    var bootstrapServers: String
    /// Records handed to the producer by the traffic generator.
    var recordsSent: Int
    /// Input records the worker consumed, rejected ones included.
    var eventsConsumed: UInt64
    /// Input records consumed per second since the previous sample.
    var eventsPerSecond: Double
    var recordsEmitted: UInt64
    var tombstonesEmitted: UInt64
    /// The largest watermark lag over the input partitions (wall clock − watermark), in seconds,
    /// or `nil` before any partition has a watermark.
    var maxWatermarkLagSeconds: Double?
    var rejections: [(reason: String, count: UInt64)]
    /// Accepted records whose key is not their `meme_id`.
    var keyMismatches: UInt64
    /// Memes on the board (latest record per meme, tombstoned memes removed).
    var memesOnBoard: Int
    /// The top memes by trending score.
    var top: [MemeSnapshot]
}

/// Renders ``DemoStatus`` as a full-screen frame for a terminal or as plain summary lines.
enum DemoView {
    /// Clears the screen and moves the cursor home (ANSI / VT100).
    static let clearScreen = "\u{1B}[H\u{1B}[2J"

    /// Renders the full-screen frame, without the leading clear sequence.
    static func frame(_ status: DemoStatus, title: String) -> String {
        var lines = [
            "\(title) · cluster \(status.bootstrapServers) · \(clock(status.elapsedSeconds)) · Ctrl-C stops",
            "",
            "throughput   \(Int(status.eventsPerSecond.rounded())) events/s consumed   "
                + "(sent \(status.recordsSent), consumed \(status.eventsConsumed))",
            "output       \(status.recordsEmitted) feature records, \(status.tombstonesEmitted) tombstones, "
                + "\(status.memesOnBoard) memes on the board",
            "watermark    lag \(lagText(status.maxWatermarkLagSeconds)) (wall clock − watermark, slowest partition)",
        ]
        lines += wrapped(rejectionText(status.rejections), first: "rejected     ", next: "               ")
        lines.append("key          \(status.keyMismatches) accepted records keyed by another id than meme_id")
        lines.append("")
        lines += table(status.top)
        return lines.joined(separator: "\n") + "\n"
    }

    /// Renders one plain summary line plus the top three memes, for a stdout that is not a terminal.
    static func plainSummary(_ status: DemoStatus) -> String {
        var lines = [
            "[\(clock(status.elapsedSeconds))] consumed \(status.eventsConsumed) events "
                + "(\(Int(status.eventsPerSecond.rounded()))/s), sent \(status.recordsSent), "
                + "emitted \(status.recordsEmitted) records and \(status.tombstonesEmitted) tombstones, "
                + "watermark lag \(lagText(status.maxWatermarkLagSeconds)), "
                + "rejected \(rejectionText(status.rejections))"
        ]
        for (rank, meme) in status.top.prefix(3).enumerated() {
            lines.append(
                "  #\(rank + 1) \(TerminalText.printable(meme.memeID)) trending_score \(fixed(meme.trendingScore, 2)) "
                    + "views_5m \(meme.views5m) velocity \(fixed(meme.velocity, 1))/min"
            )
        }
        return lines.joined(separator: "\n")
    }

    /// Renders the closing summary, printed after everything has stopped.
    static func finalSummary(_ status: DemoStatus) -> String {
        var lines = [
            "memestream demo: stopped after \(clock(status.elapsedSeconds)); worker checkpointed, "
                + "producer flushed, cluster shut down",
            "  sent \(status.recordsSent) records, worker consumed \(status.eventsConsumed)",
            "  emitted \(status.recordsEmitted) feature records and \(status.tombstonesEmitted) tombstones; "
                + "\(status.memesOnBoard) memes on the board",
        ]
        lines += wrapped(rejectionText(status.rejections), first: "  rejected ", next: "    ")
        lines.append("  \(status.keyMismatches) accepted records were keyed by another id than meme_id")
        lines.append("")
        lines += table(status.top)
        return lines.joined(separator: "\n")
    }

    /// Renders the ranking table: one header line and one line per meme.
    static func table(_ memes: [MemeSnapshot]) -> [String] {
        let header =
            pad("#", 3) + pad("meme", 12) + padLeft("trending", 10) + padLeft("views_5m", 10)
            + padLeft("velocity", 10) + padLeft("accel", 8) + padLeft("like_rate", 11) + padLeft("age", 8)
        guard !memes.isEmpty else {
            return [header, "   (no feature records yet: the first ticks close about 15 s after traffic starts)"]
        }
        var lines = [header]
        for (index, meme) in memes.enumerated() {
            lines.append(
                pad(String(index + 1), 3) + pad(TerminalText.printable(meme.memeID), 12)
                    + padLeft(fixed(meme.trendingScore, 2), 10)
                    + padLeft(String(meme.views5m), 10) + padLeft(fixed(meme.velocity, 1) + "/m", 10)
                    + padLeft(fixed(meme.acceleration, 1), 8) + padLeft(fixed(meme.likeRate * 100, 1) + " %", 11)
                    + padLeft(ageText(meme.ageSeconds), 8)
            )
        }
        return lines
    }

    /// Splits `text` at spaces into lines of at most `width` characters (default 80, the width
    /// of a standard terminal), the first starting with `first` and the others with `next`.
    static func wrapped(_ text: String, first: String, next: String, width: Int = 80) -> [String] {
        var lines: [String] = []
        var line = first
        for word in text.split(separator: " ") {
            let prefix = lines.isEmpty ? first : next
            if line.count > prefix.count, line.count + 1 + word.count > width {
                lines.append(line)
                line = next
            }
            line += (line.count > (lines.isEmpty ? first : next).count ? " " : "") + word
        }
        lines.append(line)
        return lines
    }

    static func rejectionText(_ rejections: [(reason: String, count: UInt64)]) -> String {
        guard !rejections.isEmpty else { return "none" }
        let total = rejections.reduce(0) { $0 + $1.count }
        return "\(total): " + rejections.map { "\($0.reason)=\($0.count)" }.joined(separator: " ")
    }

    static func lagText(_ seconds: Double?) -> String {
        seconds.map { fixed($0, 1) + " s" } ?? "n/a"
    }

    /// Formats elapsed time as `mm:ss`, or `h:mm:ss` from one hour on.
    static func clock(_ seconds: Double) -> String {
        let total = max(0, Int(seconds))
        let (hours, minutes, rest) = (total / 3_600, total / 60 % 60, total % 60)
        let tail = String(format: "%02d:%02d", minutes, rest)
        return hours > 0 ? "\(hours):\(tail)" : tail
    }

    /// Formats an age compactly, such as `42s`, `17m` or `5.2h`.
    static func ageText(_ seconds: Double) -> String {
        if seconds < 60 { return "\(Int(seconds))s" }
        if seconds < 3_600 { return "\(Int(seconds / 60))m" }
        return fixed(seconds / 3_600, 1) + "h"
    }

    static func fixed(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    private static func padLeft(_ text: String, _ width: Int) -> String {
        text.count >= width ? " " + text : String(repeating: " ", count: width - text.count) + text
    }
}
