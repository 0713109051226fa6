import Foundation
import StreamCore
import Testing

@testable import StreamApp

/// The notice that suggests the other `--input-format` when the first line does not fit.
@Suite struct ReplayInputFormatHintTests {
    static let event = #"{"meme_id":"m1","type":"view","ts":1700006401000}"#
    static let envelopes = [
        #"{"topic":"memes.events","partition":0,"offset":0,"tstype":"create","ts":1700006401000,"broker":1,"#
            + #""key":"m1","payload":"{\"meme_id\":\"m1\",\"type\":\"view\",\"ts\":1700006401000}"}"#,
        #"{"topic":"memes.events","partition":0,"offset":1,"tstype":"create","ts":1700006402000,"broker":1,"#
            + #""key":"m1","payload":"{\"meme_id\":\"m1\",\"type\":\"view\",\"ts\":1700006402000}"}"#,
    ]

    static func notice(_ line: String, _ format: ReplayOptions.InputFormat) -> String? {
        Array(line.utf8).withUnsafeBytes { ReplayInputFormatHint.notice(firstLine: $0, format: format) }
    }

    static func occurrences(of text: String, in output: String) -> Int {
        output.components(separatedBy: text).count - 1
    }

    @Test func envelopeAsEventsSuggestsKcat() throws {
        let notice = try #require(Self.notice(Self.envelopes[0], .events))
        #expect(notice.contains("--input-format kcat"), "notice: \(notice)")
        #expect(notice.contains("missing_field"), "notice: \(notice)")
    }

    @Test func eventAsKcatSuggestsEvents() throws {
        let notice = try #require(Self.notice(Self.event, .kcat))
        #expect(notice.contains("--input-format events"), "notice: \(notice)")
        #expect(notice.contains("bad_envelope"), "notice: \(notice)")
    }

    @Test(arguments: [
        (event, ReplayOptions.InputFormat.events),
        (envelopes[0], .kcat),
        (#"{"partition":3,"offset":9,"payload":null}"#, .kcat),
        // An event that happens to carry envelope-like members is still an event.
        (#"{"meme_id":"m1","type":"view","ts":1,"payload":"x","topic":"t"}"#, .events),
        // Lines that are not JSON objects fit neither format, so they get no notice.
        ("not json", .events),
        ("not json", .kcat),
        ("[1,2]", .kcat),
        (#"{"payload":"x"}"#, .events),
    ])
    func fittingOrUnclearLineHasNoNotice(line: String, format: ReplayOptions.InputFormat) {
        #expect(Self.notice(line, format) == nil)
    }

    @Test func kcatFileAsEventsPrintsOneNoticeAndKeepsGoing() throws {
        let scratch = try ReplayScratchDirectory()
        let input = try scratch.write("dump.jsonl", "\n  \n" + Self.envelopes.joined(separator: "\n") + "\n")
        let output = scratch.file("out.jsonl")
        let rejections = scratch.file("rejected.jsonl")
        let result = try runMemestream([
            "replay", "--input-file", input, "--output-file", output, "--rejections-file", rejections,
        ])

        #expect(result.status == 0, "stderr: \(result.standardError)")
        #expect(Self.occurrences(of: "--input-format kcat", in: result.standardError) == 1, "\(result.standardError)")
        #expect(result.standardError.contains("\(input): the first line looks like a kcat -J envelope"))
        #expect(result.standardError.contains("rejected 2 records: missing_field=2"), "\(result.standardError)")
        #expect(try readLines(output).isEmpty)
        #expect(try readLines(rejections).count == 2)
    }

    @Test func eventsFileAsKcatPrintsOneNoticeAndKeepsGoing() throws {
        let scratch = try ReplayScratchDirectory()
        let input = try scratch.write("events.jsonl", [Self.event, Self.event].joined(separator: "\n"))
        let output = scratch.file("out.jsonl")
        let result = try runMemestream([
            "replay", "--input-file", input, "--input-format", "kcat", "--output-file", output,
        ])

        #expect(result.status == 0, "stderr: \(result.standardError)")
        #expect(Self.occurrences(of: "--input-format events", in: result.standardError) == 1, "\(result.standardError)")
        #expect(result.standardError.contains("rejected 2 records: bad_envelope=2"), "\(result.standardError)")
        #expect(try readLines(output).isEmpty)
    }

    @Test(arguments: [("events", false), ("kcat", true)])
    func matchingFormatPrintsNoNotice(format: String, isEnvelopeFile: Bool) throws {
        let scratch = try ReplayScratchDirectory()
        let lines = isEnvelopeFile ? Self.envelopes : [Self.event]
        let input = try scratch.write("in.jsonl", lines.joined(separator: "\n"))
        let result = try runMemestream([
            "replay", "--input-file", input, "--input-format", format, "--output-file", scratch.file("out.jsonl"),
        ])

        #expect(result.status == 0, "stderr: \(result.standardError)")
        #expect(!result.standardError.contains("--input-format"), "stderr: \(result.standardError)")
        #expect(result.standardError.contains("rejected 0 records"), "stderr: \(result.standardError)")
    }
}
