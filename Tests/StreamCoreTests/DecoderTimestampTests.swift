import Testing

@testable import StreamCore

/// RFC 3339 parsing for `ts` and `published_at`.
@Suite struct DecoderTimestampTests {
    /// Strings that must parse, with their epoch milliseconds.
    static let validRows: [(String, Int64)] = [
        ("2023-11-14T22:13:20Z", 1_700_000_000_000),
        ("2023-11-14t22:13:20z", 1_700_000_000_000),
        ("2023-11-14T22:13:20.5Z", 1_700_000_000_500),
        ("2023-11-14T22:13:20.12Z", 1_700_000_000_120),
        ("2023-11-14T22:13:20.123Z", 1_700_000_000_123),
        ("2023-11-14T22:13:20.1239Z", 1_700_000_000_123),
        ("2023-11-14T22:13:20.999999999Z", 1_700_000_000_999),
        ("2023-11-14T22:13:20.000Z", 1_700_000_000_000),
        ("2023-11-15T00:13:20+02:00", 1_700_000_000_000),
        ("2023-11-14T12:13:20-10:00", 1_700_000_000_000),
        ("2023-11-14T22:13:20+00:00", 1_700_000_000_000),
        ("2023-11-14T22:13:20-00:00", 1_700_000_000_000),
        ("2023-11-15T22:13:20+23:59", 1_700_000_000_000 + 86_400_000 - 86_340_000),
        ("2023-11-15T01:50:00+02:00", 1_700_005_800_000),
        ("2001-09-09T01:46:40Z", 1_000_000_000_000),
        ("2286-11-20T17:46:39.999Z", 9_999_999_999_999),
        ("2024-02-29T00:00:00Z", 1_709_164_800_000),
        ("2000-02-29T00:00:00Z", 951_782_400_000 + 0),
        ("2100-02-28T23:59:59Z", 4_107_542_399_000),
        ("2016-12-31T23:59:60Z", 1_483_228_799_000),
        ("2016-12-31T23:59:60.5Z", 1_483_228_799_500),
        ("2017-01-01T00:59:60+01:00", 1_483_228_799_000),
        ("2023-12-31T23:59:59.999Z", 1_704_067_199_999),
        ("2024-01-01T00:00:00Z", 1_704_067_200_000),
    ]

    @Test(arguments: validRows)
    func validTimestampParses(_ text: String, _ expected: Int64) {
        let milliseconds = parse(text)
        #expect(milliseconds == expected, "\(text)")
    }

    /// Strings that must not parse; the decoder rejects them as invalid_timestamp.
    static let invalidRows: [String] = [
        "2023-11-15 00:01:30Z",
        "2023-11-15T00:01:30",
        "2023-11-15T00:01:30+0200",
        "2023-11-15T00:01:30+02",
        "2023-11-15T00:01:30+2:00",
        "2023-11-15T00:01:30UTC",
        "2023-11-15T00:01:30.Z",
        "2023-11-15T00:01Z",
        "2023-11-15",
        "23-11-15T00:01:30Z",
        "2023/11/15T00:01:30Z",
        "2023-1-15T00:01:30Z",
        "2023-11-15T0:01:30Z",
        "2023-13-01T00:00:00Z",
        "2023-00-01T00:00:00Z",
        "2023-11-00T00:00:00Z",
        "2023-11-31T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "2023-02-30T00:00:00Z",
        "1900-02-29T00:00:00Z",
        "2100-02-29T00:00:00Z",
        "2023-11-15T24:00:00Z",
        "2023-11-15T23:60:00Z",
        "2023-11-15T23:59:61Z",
        "2023-11-15T12:00:60Z",
        "2016-12-31T23:59:60+01:00",
        "2023-11-15T00:00:00+24:00",
        "2023-11-15T00:00:00+01:60",
        "2023-11-15T00:00:00Z ",
        " 2023-11-15T00:00:00Z",
        "2023-11-15T00:00:00ZZ",
        "2023-11-15T00:00:00.123+01:00x",
        "+2023-11-15T00:00:00Z",
        "2023-11-15T00:00:00,5Z",
        "２０２３-11-15T00:00:00Z",
    ]

    @Test(arguments: invalidRows)
    func invalidTimestampIsRejected(_ text: String) {
        #expect(parse(text) == nil, "\(text)")
        let result = DecoderTestSupport.decode(DecoderTestSupport.event(ts: jsonString(text)))
        #expect(result.rejection?.reason == .invalidTimestamp, "\(text): \(result)")
    }

    /// Valid date-times outside [10^12, 10^13) ms are invalid timestamps too.
    static let outOfRangeRows: [String] = [
        "2001-09-09T01:46:39.999Z",
        "1970-01-01T00:00:00Z",
        "0000-01-01T00:00:00Z",
        "2286-11-20T17:46:40Z",
        "9999-12-31T23:59:59Z",
    ]

    @Test(arguments: outOfRangeRows)
    func timestampOutsideRangeIsRejected(_ text: String) throws {
        #expect(parse(text) != nil, "\(text)")
        let rejection = try #require(
            DecoderTestSupport.decode(DecoderTestSupport.event(ts: jsonString(text))).rejection
        )
        #expect(rejection.reason == .invalidTimestamp)
        #expect(rejection.detail.contains("2001-09-09T01:46:40Z"), "\(rejection.detail)")
    }

    @Test func escapedTimestampIsDecodedFirst() {
        let result = DecoderTestSupport.decode(DecoderTestSupport.event(ts: #""2023-11-14T22:13:20\u005A""#))
        #expect(result.event?.eventTime == EventTime(milliseconds: 1_700_000_000_000))
    }

    @Test func publishedAtAcceptsBothForms() {
        let asString = DecoderTestSupport.decode(DecoderTestSupport.event(#","published_at":"2023-11-14T22:13:20Z""#))
        #expect(asString.event?.publishedAt == EventTime(milliseconds: 1_700_000_000_000))
        let asInteger = DecoderTestSupport.decode(DecoderTestSupport.event(#","published_at":1700000000000"#))
        #expect(asInteger.event?.publishedAt == EventTime(milliseconds: 1_700_000_000_000))
    }

    @Test func detailExplainsTheBadPart() throws {
        let rejection = try #require(
            DecoderTestSupport.decode(DecoderTestSupport.event(ts: #""2023-02-30T00:00:00Z""#)).rejection
        )
        #expect(rejection.detail.contains("day 30"), "\(rejection.detail)")
        #expect(rejection.detail.contains("2023-02-30T00:00:00Z"), "\(rejection.detail)")
    }

    /// Days from the civil calendar agree with a day-by-day walk from 1970-01-01 for every day
    /// from 1900 to 2400, which covers both century rules.
    @Test func daysFromCivilMatchesADayByDayWalk() {
        var expected = RFC3339Timestamp.daysFromCivil(year: 1900, month: 1, day: 1)
        #expect(expected == -25_567)
        for year in Int64(1900)...2400 {
            for month in Int64(1)...12 {
                for day in 1...RFC3339Timestamp.daysInMonth(year: year, month: month) {
                    #expect(RFC3339Timestamp.daysFromCivil(year: year, month: month, day: day) == expected)
                    expected += 1
                }
            }
        }
        #expect(RFC3339Timestamp.daysFromCivil(year: 1970, month: 1, day: 1) == 0)
    }

    private func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer -> Int64? in
            do throws(RFC3339Timestamp.ParseError) {
                return try RFC3339Timestamp.parseMilliseconds(buffer)
            } catch {
                return nil
            }
        }
    }

    private func jsonString(_ text: String) -> String {
        "\"" + text + "\""
    }
}
