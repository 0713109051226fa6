import StreamCore

/// `memestream import-kuairand`: converts the KuaiRand like/hate TSV into replayable events.
///
/// Each data row becomes a `view` event (`ts` = `time_ms`, `dwell_ms` = `play_time_ms`,
/// `meme_id` = `v<video_id>`, `user_id` = `u<user_id>`) followed by a `like` (label 1) or
/// `dislike` (label 0) at the same `ts`. Rows are sorted by `time_ms` first, keeping file order
/// among equal times, so the output is in event-time order. Columns are found by their header
/// names, so their order does not matter.
enum ImportKuaiRandCommand: Subcommand {
    static let name = "import-kuairand"
    static let summary = "Convert the KuaiRand like/hate TSV into a JSONL event file for replay."

    static let options: [OptionSpec] = [
        .value(
            "input",
            valueName: "TSV",
            help: "KuaiRand TSV with a header row (user_id, video_id, time_ms, play_time_ms, label); .zst allowed."
        ),
        .value("output", valueName: "FILE", help: "Event file to write, JSONL, or JSONL.zst when it ends in .zst."),
    ]

    static let usage = """
        usage: memestream import-kuairand --input TSV --output events.jsonl[.zst]

        Writes one view event per row and then a like (label 1) or dislike (label 0) at the same
        time, in time order. Rows that cannot be read are reported on standard error and skipped.
        """

    /// The header names of the columns the import reads.
    static let requiredColumns = ["user_id", "video_id", "time_ms", "play_time_ms", "label"]

    /// Bad rows printed to standard error before the rest are only counted.
    static let printedBadRowLimit = 10

    /// One data row, reduced to the fields the events need.
    struct Row {
        var userID: Int64
        var videoID: Int64
        var timeMilliseconds: Int64
        var playTimeMilliseconds: Int64
        var isLike: Bool
    }

    static func run(_ arguments: ParsedArguments) async throws -> Int32 {
        if let extra = arguments.positional.first {
            throw UsageError("unexpected argument '\(extra)'; give the files with --input and --output")
        }
        guard let input = arguments.value("input") else {
            throw UsageError("missing --input TSV: the KuaiRand like/hate TSV file")
        }
        guard let output = arguments.value("output") else {
            throw UsageError("missing --output FILE: the JSONL or JSONL.zst event file to write")
        }

        if (input == output && !FileIdentity.isSpecial(input)) || FileIdentity.same(input, output) {
            throw UsageError("--output \(output) is the --input file; writing it would destroy the input")
        }

        var badRows = 0
        let rows = try readRows(path: input) { lineNumber, reason in
            badRows += 1
            if badRows <= printedBadRowLimit {
                printError("memestream import-kuairand: \(input): line \(lineNumber): \(reason); row skipped")
            }
        }
        let eventCount = try writeEvents(rows, path: output)
        printError(
            "memestream import-kuairand: read \(rows.count + badRows) rows (\(badRows) skipped), "
                + "wrote \(eventCount) events to \(output)"
        )
        return 0
    }

    /// Reads the TSV and returns its rows sorted by time (stable). A row whose `time_ms` is
    /// outside [10^12, 10^13) is reported and skipped, since replay would reject its events.
    ///
    /// - Throws: ``FileIOError`` when the file cannot be read, and a runtime error when the header
    ///   lacks a required column.
    static func readRows(path: String, reportBadRow: (Int, String) -> Void) throws -> [Row] {
        let reader = try LineReader(path: path)
        guard let headerLine = try reader.nextLine() else {
            throw ImportError(
                message: "\(path) is empty; expected a header row with \(requiredColumns.joined(separator: ", "))"
            )
        }
        let header = String(decoding: headerLine.bytes, as: UTF8.self).split(
            separator: "\t",
            omittingEmptySubsequences: false
        )
        .map { $0.trimmingASCIIWhitespace().lowercased() }
        var indexes: [Int] = []
        for column in requiredColumns {
            guard let index = header.firstIndex(of: column) else {
                throw ImportError(
                    message:
                        "\(path) has no column '\(column)' in its header; expected the columns \(requiredColumns.joined(separator: ", "))"
                )
            }
            indexes.append(index)
        }
        let neededFields = (indexes.max() ?? 0) + 1

        var rows: [Row] = []
        while let line = try reader.nextLine() {
            if line.bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            let fields = line.bytes.split(separator: 0x09, omittingEmptySubsequences: false)
            guard fields.count >= neededFields else {
                reportBadRow(
                    line.number,
                    "expected at least \(neededFields) tab-separated fields, found \(fields.count)"
                )
                continue
            }
            var values: [Int64] = []
            for (position, index) in indexes.enumerated() {
                guard let value = parseInteger(fields[index]) else {
                    let text = String(decoding: fields[index].prefix(40), as: UTF8.self)
                    reportBadRow(line.number, "invalid \(requiredColumns[position]) '\(text)', expected an integer")
                    break
                }
                values.append(value)
            }
            guard values.count == indexes.count else { continue }
            guard values[4] == 0 || values[4] == 1 else {
                reportBadRow(line.number, "invalid label \(values[4]), expected 1 (like) or 0 (dislike)")
                continue
            }
            guard (1_000_000_000_000..<10_000_000_000_000).contains(values[2]) else {
                reportBadRow(
                    line.number,
                    "invalid time_ms \(values[2]), expected epoch milliseconds in [10^12, 10^13)"
                )
                continue
            }
            guard values[3] >= 0 else {
                reportBadRow(line.number, "invalid play_time_ms \(values[3]), expected a non-negative integer")
                continue
            }
            rows.append(
                Row(
                    userID: values[0],
                    videoID: values[1],
                    timeMilliseconds: values[2],
                    playTimeMilliseconds: values[3],
                    isLike: values[4] == 1
                )
            )
        }
        // Sort by time, keeping file order among equal times.
        let order = rows.indices.sorted { (rows[$0].timeMilliseconds, $0) < (rows[$1].timeMilliseconds, $1) }
        return order.map { rows[$0] }
    }

    /// Writes two events per row and returns how many events were written.
    static func writeEvents(_ rows: [Row], path: String) throws -> Int {
        let writer = try LineWriter(path: path)
        for row in rows {
            let meme = "v\(row.videoID)"
            let user = "u\(row.userID)"
            try writer.writeLine(
                "{\"meme_id\":\"\(meme)\",\"type\":\"view\",\"ts\":\(row.timeMilliseconds),\"user_id\":\"\(user)\","
                    + "\"dwell_ms\":\(row.playTimeMilliseconds)}"
            )
            let feedback = row.isLike ? "like" : "dislike"
            try writer.writeLine(
                "{\"meme_id\":\"\(meme)\",\"type\":\"\(feedback)\",\"ts\":\(row.timeMilliseconds),\"user_id\":\"\(user)\"}"
            )
        }
        try writer.close()
        return rows.count * 2
    }

    private static func parseInteger(_ bytes: Slice<UnsafeRawBufferPointer>) -> Int64? {
        var text = Substring(decoding: bytes, as: UTF8.self)
        text = text.trimmingASCIIWhitespace()
        return Int64(text)
    }

    /// A runtime failure of the import (exit status 1).
    struct ImportError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}

extension StringProtocol {
    /// Returns the text without leading and trailing spaces, tabs and carriage returns.
    fileprivate func trimmingASCIIWhitespace() -> Substring {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" || first == "\r" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" || last == "\r" { slice = slice.dropLast() }
        return Substring(slice)
    }
}
