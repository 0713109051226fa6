import Testing

@testable import StreamCore

/// One record value and the outcome the decoder must produce for it.
struct DecodeCase: Sendable, CustomTestStringConvertible {
    var name: String
    var input: String
    /// A reason code, or "accepted".
    var expected: String
    var recordTimestamp: Int64? = nil

    var testDescription: String { name }
}

@Suite struct DecoderRuleTests {
    static let reasonRows: [DecodeCase] = [
        DecodeCase(
            name: "minimal event",
            input: #"{"meme_id":"m1","type":"view","ts":1700000000000}"#,
            expected: "accepted"
        ),
        DecodeCase(name: "not JSON", input: "not json{", expected: "malformed_json"),
        DecodeCase(name: "array at top level", input: "[1,2,3]", expected: "malformed_json"),
        DecodeCase(name: "string at top level", input: #""m1""#, expected: "malformed_json"),
        DecodeCase(name: "NaN", input: #"{"meme_id":"m1","type":"view","ts":NaN}"#, expected: "malformed_json"),
        DecodeCase(
            name: "duplicate type",
            input: #"{"meme_id":"m1","type":"view","type":"like","ts":1700000000000}"#,
            expected: "malformed_json"
        ),
        DecodeCase(name: "type absent", input: #"{"meme_id":"m1","ts":1700000000000}"#, expected: "missing_field"),
        DecodeCase(name: "meme_id absent", input: #"{"type":"view","ts":1700000000000}"#, expected: "missing_field"),
        DecodeCase(name: "ts absent", input: #"{"meme_id":"m1","type":"view"}"#, expected: "missing_field"),
        DecodeCase(
            name: "meme_id empty",
            input: #"{"meme_id":"","type":"view","ts":1700000000000}"#,
            expected: "missing_field"
        ),
        DecodeCase(
            name: "meme_id null",
            input: #"{"meme_id":null,"type":"view","ts":1700000000000}"#,
            expected: "missing_field"
        ),
        DecodeCase(
            name: "type empty",
            input: #"{"meme_id":"m1","type":"","ts":1700000000000}"#,
            expected: "missing_field"
        ),
        DecodeCase(name: "ts null", input: #"{"meme_id":"m1","type":"view","ts":null}"#, expected: "missing_field"),
        DecodeCase(
            name: "ts empty string",
            input: #"{"meme_id":"m1","type":"view","ts":""}"#,
            expected: "missing_field"
        ),
        DecodeCase(name: "empty object", input: "{}", expected: "missing_field"),
        DecodeCase(
            name: "type uppercase",
            input: #"{"meme_id":"m1","type":"View","ts":1700000000000}"#,
            expected: "invalid_field"
        ),
        DecodeCase(
            name: "type starts with digit",
            input: #"{"meme_id":"m1","type":"1view","ts":1700000000000}"#,
            expected: "invalid_field"
        ),
        DecodeCase(
            name: "type with dash",
            input: #"{"meme_id":"m1","type":"re-view","ts":1700000000000}"#,
            expected: "invalid_field"
        ),
        DecodeCase(
            name: "type number",
            input: #"{"meme_id":"m1","type":1,"ts":1700000000000}"#,
            expected: "invalid_field"
        ),
        DecodeCase(
            name: "meme_id number",
            input: #"{"meme_id":1,"type":"view","ts":1700000000000}"#,
            expected: "invalid_field"
        ),
        DecodeCase(
            name: "meme_id object",
            input: #"{"meme_id":{},"type":"view","ts":1700000000000}"#,
            expected: "invalid_field"
        ),
        DecodeCase(
            name: "dwell negative",
            input: DecoderTestSupport.event(#","dwell_ms":-5"#),
            expected: "invalid_field"
        ),
        DecodeCase(
            name: "dwell fraction",
            input: DecoderTestSupport.event(#","dwell_ms":1.5"#),
            expected: "invalid_field"
        ),
        DecodeCase(
            name: "dwell string",
            input: DecoderTestSupport.event(#","dwell_ms":"5""#),
            expected: "invalid_field"
        ),
        DecodeCase(
            name: "dwell overflow",
            input: DecoderTestSupport.event(#","dwell_ms":99999999999999999999"#),
            expected: "invalid_field"
        ),
        DecodeCase(
            name: "user_id empty",
            input: DecoderTestSupport.event(#","user_id":"""#),
            expected: "invalid_field"
        ),
        DecodeCase(
            name: "user_id number",
            input: DecoderTestSupport.event(#","user_id":7"#),
            expected: "invalid_field"
        ),
        DecodeCase(name: "ts text", input: DecoderTestSupport.event(ts: #""soon""#), expected: "invalid_timestamp"),
        DecodeCase(name: "ts boolean", input: DecoderTestSupport.event(ts: "true"), expected: "invalid_timestamp"),
        DecodeCase(
            name: "ts array",
            input: DecoderTestSupport.event(ts: "[1700000000000]"),
            expected: "invalid_timestamp"
        ),
        DecodeCase(
            name: "ts seconds",
            input: DecoderTestSupport.event(ts: "1700000000"),
            expected: "invalid_timestamp"
        ),
        DecodeCase(
            name: "ts microseconds",
            input: DecoderTestSupport.event(ts: "1700000000000000"),
            expected: "invalid_timestamp"
        ),
        DecodeCase(
            name: "ts negative",
            input: DecoderTestSupport.event(ts: "-1700000000000"),
            expected: "invalid_timestamp"
        ),
        DecodeCase(
            name: "published_at text",
            input: DecoderTestSupport.event(#","published_at":"later""#),
            expected: "invalid_timestamp"
        ),
        DecodeCase(
            name: "published_at empty",
            input: DecoderTestSupport.event(#","published_at":"""#),
            expected: "invalid_timestamp"
        ),
        DecodeCase(
            name: "published_at seconds",
            input: DecoderTestSupport.event(#","published_at":1700000000"#),
            expected: "invalid_timestamp"
        ),
        DecodeCase(
            name: "ts two days ahead",
            input: DecoderTestSupport.event(ts: "1700172800000"),
            expected: "future_timestamp",
            recordTimestamp: 1_700_000_000_000
        ),
        DecodeCase(
            name: "ts exactly at the skew limit",
            input: DecoderTestSupport.event(ts: "1700000060000"),
            expected: "accepted",
            recordTimestamp: 1_700_000_000_000
        ),
        DecodeCase(
            name: "ts one ms past the skew limit",
            input: DecoderTestSupport.event(ts: "1700000060001"),
            expected: "future_timestamp",
            recordTimestamp: 1_700_000_000_000
        ),
        DecodeCase(
            name: "future check skipped without record timestamp",
            input: DecoderTestSupport.event(ts: "1900000000000"),
            expected: "accepted"
        ),
        DecodeCase(
            name: "published_at in the future is not checked",
            input: DecoderTestSupport.event(#","published_at":1900000000000"#),
            expected: "accepted",
            recordTimestamp: 1_700_000_000_000
        ),
        DecodeCase(
            name: "null optional fields count as absent",
            input: DecoderTestSupport.event(#","user_id":null,"published_at":null,"dwell_ms":null"#),
            expected: "accepted"
        ),
        DecodeCase(
            name: "unknown fields ignored",
            input: DecoderTestSupport.event(#","extra":{"a":[1,2,{"b":null}]},"n":-1.5e3"#),
            expected: "accepted"
        ),
    ]

    @Test(arguments: reasonRows)
    func reasonTableRow(_ row: DecodeCase) {
        let result = DecoderTestSupport.decode(row.input, recordTimestamp: row.recordTimestamp)
        #expect(DecoderTestSupport.outcome(result) == row.expected, "\(result)")
    }

    /// Each input breaks two rules. The reason that comes first in the reason order must win,
    /// and within one reason the field that comes first in the field order.
    static let orderRows: [DecodeCase] = [
        DecodeCase(
            name: "too large beats malformed",
            input: "{" + String(repeating: " ", count: 70_000),
            expected: "too_large"
        ),
        DecodeCase(name: "malformed beats missing", input: #"{"meme_id":"m1",}"#, expected: "malformed_json"),
        DecodeCase(
            name: "malformed after an invalid field",
            input: #"{"meme_id":1,"type":"view","ts":1700000000000,"x":01}"#,
            expected: "malformed_json"
        ),
        DecodeCase(
            name: "missing beats invalid",
            input: #"{"meme_id":5,"ts":1700000000000}"#,
            expected: "missing_field"
        ),
        DecodeCase(
            name: "missing beats invalid timestamp",
            input: #"{"type":"view","ts":"soon"}"#,
            expected: "missing_field"
        ),
        DecodeCase(
            name: "invalid field beats invalid timestamp",
            input: #"{"meme_id":"m1","type":"view","ts":"soon","dwell_ms":-1}"#,
            expected: "invalid_field"
        ),
        DecodeCase(
            name: "invalid timestamp beats future",
            input: #"{"meme_id":"m1","type":"view","ts":1900000000000,"published_at":"x"}"#,
            expected: "invalid_timestamp",
            recordTimestamp: 1_700_000_000_000
        ),
    ]

    @Test(arguments: orderRows)
    func reasonOrder(_ row: DecodeCase) {
        let result = DecoderTestSupport.decode(row.input, recordTimestamp: row.recordTimestamp)
        #expect(DecoderTestSupport.outcome(result) == row.expected, "\(result)")
    }

    @Test func fieldOrderWithinInvalidField() throws {
        // meme_id comes before type in the field order, whatever the member order.
        let result = DecoderTestSupport.decode(#"{"type":"View","meme_id":7,"ts":1700000000000}"#)
        let rejection = try #require(result.rejection)
        #expect(rejection.reason == .invalidField)
        #expect(rejection.detail.contains("'meme_id'"), "\(rejection.detail)")
    }

    @Test func fieldOrderWithinInvalidTimestamp() throws {
        let result = DecoderTestSupport.decode(#"{"published_at":"x","meme_id":"m","type":"like","ts":12}"#)
        let rejection = try #require(result.rejection)
        #expect(rejection.reason == .invalidTimestamp)
        #expect(rejection.detail.contains("'ts'"), "\(rejection.detail)")
    }

    @Test func fieldOrderWithinMissingField() throws {
        let rejection = try #require(DecoderTestSupport.decode(#"{"ts":null}"#).rejection)
        #expect(rejection.detail.contains("'meme_id'"), "\(rejection.detail)")
    }

    @Test func acceptedEventCarriesEveryField() throws {
        let input =
            #"{"meme_id":"m\u0031","type":"like","ts":"2023-11-15T00:01:10.123Z","user_id":"u\"7","#
            + #""published_at":1699999000000,"dwell_ms":1500}"#
        let event = try #require(DecoderTestSupport.decode(input).event)
        #expect(event.memeID == "m1")
        #expect(event.type == "like")
        #expect(event.eventTime == EventTime(milliseconds: 1_700_006_470_123))
        #expect(event.userID == "u\"7")
        #expect(event.publishedAt == EventTime(milliseconds: 1_699_999_000_000))
        #expect(event.dwellMilliseconds == 1500)
    }

    @Test func inputRecordUsesItsTimestamp() {
        let value = Array(DecoderTestSupport.event(ts: "1700000120000").utf8)
        value.withUnsafeBytes { bytes in
            let stamped = InputRecord(
                partition: 0,
                offset: 7,
                recordTimestamp: 1_700_000_000_000,
                key: nil,
                value: bytes
            )
            #expect(DecoderTestSupport.defaultDecoder.decode(stamped).rejection?.reason == .futureTimestamp)

            let unstamped = InputRecord(partition: 0, offset: 8, recordTimestamp: nil, key: nil, value: bytes)
            #expect(DecoderTestSupport.defaultDecoder.decode(unstamped).event != nil)
        }
    }

    @Test func absentOptionalFieldsAreNil() throws {
        let event = try #require(DecoderTestSupport.decode(DecoderTestSupport.event()).event)
        #expect(event.userID == nil)
        #expect(event.publishedAt == nil)
        #expect(event.dwellMilliseconds == nil)
    }

    // MARK: - Integer timestamp boundaries and number forms

    static let timestampNumberRows: [(String, String)] = [
        ("999999999999", "invalid_timestamp"),
        ("1000000000000", "accepted"),
        ("9999999999999", "accepted"),
        ("10000000000000", "invalid_timestamp"),
        ("1e12", "invalid_timestamp"),
        ("1700000000000.0", "invalid_timestamp"),
        ("1.7e12", "invalid_timestamp"),
        ("-0", "invalid_timestamp"),
        ("0", "invalid_timestamp"),
        ("18446744073709551616", "invalid_timestamp"),
        ("9223372036854775808", "invalid_timestamp"),
    ]

    @Test(arguments: timestampNumberRows)
    func integerTimestampBoundary(_ literal: String, _ expected: String) {
        let result = DecoderTestSupport.decode(DecoderTestSupport.event(ts: literal))
        #expect(DecoderTestSupport.outcome(result) == expected, "\(result)")
    }

    static let unitHintRows: [(String, String)] = [
        ("1700000000", "looks like seconds"),
        ("1700000000000000", "looks like microseconds"),
        ("1700000000000000000", "looks like nanoseconds"),
    ]

    @Test(arguments: unitHintRows)
    func outOfRangeTimestampNamesUnit(_ literal: String, _ hint: String) throws {
        let rejection = try #require(DecoderTestSupport.decode(DecoderTestSupport.event(ts: literal)).rejection)
        #expect(rejection.reason == .invalidTimestamp)
        #expect(rejection.detail.contains(hint), "\(rejection.detail)")
        #expect(rejection.detail.contains(literal), "\(rejection.detail)")
    }

    static let dwellRows: [(String, Int64?)] = [
        ("0", 0),
        ("-0", 0),
        ("1500", 1500),
        ("9223372036854775807", Int64.max),
        ("9223372036854775808", nil),
        ("1.0", nil),
        ("1e3", nil),
        ("-1", nil),
        ("true", nil),
        ("[]", nil),
    ]

    @Test(arguments: dwellRows)
    func dwellNumberForms(_ literal: String, _ expected: Int64?) {
        let result = DecoderTestSupport.decode(DecoderTestSupport.event(#","dwell_ms":"# + literal))
        if let expected {
            #expect(result.event?.dwellMilliseconds == expected, "\(result)")
        } else {
            #expect(result.rejection?.reason == .invalidField, "\(result)")
        }
    }

    // MARK: - Ids

    static let idRows: [(String, String)] = [
        (#""m\u0031""#, "m1"),
        (#""a\"b\\c\/d""#, "a\"b\\c/d"),
        (#""tab\there""#, "tab\there"),
        (#""\u00e9t\u00E9""#, "été"),
        (#""\ud83d\ude00""#, "😀"),
        (#""😀x""#, "😀x"),
        (#""\u0000""#, "\u{0}"),
    ]

    @Test(arguments: idRows)
    func idEscapesAreDecoded(_ literal: String, _ expected: String) throws {
        let input = #"{"meme_id":"# + literal + #","type":"view","ts":1700000000000,"user_id":"# + literal + "}"
        let event = try #require(DecoderTestSupport.decode(input).event)
        #expect(event.memeID == expected)
        #expect(event.userID == expected)
    }

    @Test func idLengthCountsDecodedBytes() {
        // 128 decoded bytes written as 128 six-byte escapes: valid.
        let escaped = String(repeating: #"\u0061"#, count: 128)
        let atLimit = #"{"meme_id":""# + escaped + #"","type":"view","ts":1700000000000}"#
        #expect(DecoderTestSupport.decode(atLimit).event?.memeID == String(repeating: "a", count: 128))

        // 43 three-byte characters are 129 bytes: too long, although only 43 characters.
        let wide = String(repeating: "€", count: 43)
        let overLimit = #"{"meme_id":""# + wide + #"","type":"view","ts":1700000000000}"#
        #expect(DecoderTestSupport.decode(overLimit).rejection?.reason == .invalidField)

        let userAtLimit = DecoderTestSupport.event(#","user_id":""# + String(repeating: "u", count: 128) + #"""#)
        #expect(DecoderTestSupport.decode(userAtLimit).event?.userID?.utf8.count == 128)
        let userOverLimit = DecoderTestSupport.event(#","user_id":""# + String(repeating: "u", count: 129) + #"""#)
        #expect(DecoderTestSupport.decode(userOverLimit).rejection?.reason == .invalidField)
    }

    @Test func typeLengthLimit() {
        let longest = "v" + String(repeating: "_", count: 31)
        #expect(
            DecoderTestSupport.decode(#"{"meme_id":"m","type":""# + longest + #"","ts":1700000000000}"#).event != nil
        )
        let tooLong = longest + "x"
        let result = DecoderTestSupport.decode(#"{"meme_id":"m","type":""# + tooLong + #"","ts":1700000000000}"#)
        #expect(result.rejection?.reason == .invalidField)
    }

    @Test func escapedTypeIsDecodedBeforeThePatternCheck() {
        let result = DecoderTestSupport.decode(#"{"meme_id":"m","type":"vi\u0065w","ts":1700000000000}"#)
        #expect(result.event?.type == "view")
    }

    // MARK: - Size limit

    /// Builds a valid event padded with whitespace to exactly `size` bytes.
    static func paddedEvent(size: Int) -> String {
        let base = DecoderTestSupport.event()
        return base + String(repeating: " ", count: size - base.utf8.count)
    }

    @Test func exactly64KiBIsAccepted() {
        let input = Self.paddedEvent(size: 65_536)
        #expect(input.utf8.count == 65_536)
        #expect(DecoderTestSupport.decode(input).event != nil)
    }

    @Test func oneByteOver64KiBIsTooLarge() throws {
        let rejection = try #require(DecoderTestSupport.decode(Self.paddedEvent(size: 65_537)).rejection)
        #expect(rejection.reason == .tooLarge)
        #expect(rejection.detail.contains("65537"), "\(rejection.detail)")
    }

    @Test func customSizeLimit() {
        let decoder = EventDecoder(maxEventBytes: 100)
        #expect(DecoderTestSupport.decode(Self.paddedEvent(size: 100), decoder: decoder).event != nil)
        #expect(DecoderTestSupport.decode(Self.paddedEvent(size: 101), decoder: decoder).rejection?.reason == .tooLarge)
    }

    @Test func emptyValueIsMalformed() {
        #expect(DecoderTestSupport.defaultDecoder.decode([], recordTimestamp: nil).rejection?.reason == .malformedJSON)
    }

    // MARK: - Details

    @Test func detailTruncatesLongValues() throws {
        let long = String(repeating: "x", count: 129)
        let rejection = try #require(
            DecoderTestSupport.decode(#"{"meme_id":""# + long + #"","type":"view","ts":1700000000000}"#).rejection
        )
        #expect(rejection.detail.contains("129 bytes"), "\(rejection.detail)")
        #expect(rejection.detail.contains("...(129 bytes)"), "\(rejection.detail)")
        #expect(!rejection.detail.contains(long))
    }

    @Test func detailNamesFieldAndValue() throws {
        let rejection = try #require(DecoderTestSupport.decode(DecoderTestSupport.event(#","dwell_ms":-5"#)).rejection)
        #expect(rejection.detail.contains("'dwell_ms'"), "\(rejection.detail)")
        #expect(rejection.detail.contains("-5"), "\(rejection.detail)")
    }

    @Test func futureDetailNamesRecordTimestamp() throws {
        let rejection = try #require(
            DecoderTestSupport.decode(DecoderTestSupport.event(ts: "1700000070000"), recordTimestamp: 1_700_000_000_000)
                .rejection
        )
        #expect(rejection.reason == .futureTimestamp)
        #expect(rejection.detail.contains("1700000000000"), "\(rejection.detail)")
    }
}

/// ``EventDecoder/decodeView(_:recordTimestamp:)``: views point at the value's bytes, and
/// escaped strings fall back to a decoded event.
@Suite struct DecoderViewTests {
    private func decodeView(_ text: String, _ body: (EventViewResult) -> Void) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { body(EventDecoder().decodeView($0, recordTimestamp: nil)) }
    }

    @Test func plainStringsGiveAViewOfTheValue() {
        let text = #"{"meme_id":"m42","type":"like","ts":1700000000000,"user_id":"u7","dwell_ms":5}"#
        decodeView(text) { result in
            guard case .view(let view) = result else {
                Issue.record("expected a view, got \(result)")
                return
            }
            #expect(Array(view.memeID) == Array("m42".utf8))
            #expect(Array(view.type) == Array("like".utf8))
            #expect(view.userID.map { Array($0) } == Array("u7".utf8))
            #expect(view.dwellMilliseconds == 5)
            #expect(view.makeEvent() == DecoderTestSupport.decode(text).event)
            let timeFields = view.timeFieldsEvent
            #expect(timeFields.memeID.isEmpty)
            #expect(timeFields.type.isEmpty)
            #expect(timeFields.userID == nil)
            #expect(timeFields.eventTime == view.eventTime)
            #expect(timeFields.dwellMilliseconds == 5)
        }
    }

    @Test(arguments: [
        #"{"meme_id":"m\u0034","type":"view","ts":1700000000000}"#,
        #"{"meme_id":"m4","type":"vi\u0065w","ts":1700000000000}"#,
        #"{"meme_id":"m4","type":"view","ts":1700000000000,"user_id":"u\/1"}"#,
    ])
    func escapedStringsGiveADecodedEvent(text: String) {
        decodeView(text) { result in
            guard case .accepted(let event) = result else {
                Issue.record("expected a decoded event, got \(result)")
                return
            }
            #expect(event == DecoderTestSupport.decode(text).event)
        }
    }

    @Test func rejectionsMatchDecode() {
        let text = #"{"meme_id":"m4","type":"View","ts":1700000000000}"#
        decodeView(text) { result in
            guard case .rejected(let rejection) = result else {
                Issue.record("expected a rejection, got \(result)")
                return
            }
            #expect(rejection == DecoderTestSupport.decode(text).rejection)
        }
    }
}
