import Testing

@testable import StreamCore

/// RFC 8259 strictness of the scanner, seen through the decoder.
@Suite struct DecoderJSONTests {
    /// Inputs that are not strict JSON objects; each must be rejected as malformed_json.
    static let malformedRows: [(String, String)] = [
        ("NaN", #"{"meme_id":"m1","type":"view","ts":NaN}"#),
        ("Infinity", #"{"meme_id":"m1","type":"view","ts":Infinity}"#),
        ("negative Infinity", #"{"meme_id":"m1","type":"view","ts":-Infinity}"#),
        ("line comment", "{\"meme_id\":\"m1\",\"type\":\"view\",\"ts\":1700000000000 // c\n}"),
        ("block comment", #"{/* c */"meme_id":"m1","type":"view","ts":1700000000000}"#),
        ("trailing comma in object", #"{"meme_id":"m1","type":"view","ts":1700000000000,}"#),
        ("trailing comma in array", #"{"meme_id":"m1","type":"view","ts":1700000000000,"x":[1,]}"#),
        ("leading comma in array", #"{"meme_id":"m1","type":"view","ts":1700000000000,"x":[,1]}"#),
        ("missing comma", #"{"meme_id":"m1" "type":"view","ts":1700000000000}"#),
        ("missing colon", #"{"meme_id" "m1","type":"view","ts":1700000000000}"#),
        ("single quotes", #"{'meme_id':"m1","type":"view","ts":1700000000000}"#),
        ("unquoted name", #"{meme_id:"m1","type":"view","ts":1700000000000}"#),
        ("leading zero", #"{"meme_id":"m1","type":"view","ts":01700000000000}"#),
        ("leading zero in unknown", DecoderTestSupport.event(#","x":00"#)),
        ("plus sign", #"{"meme_id":"m1","type":"view","ts":+1700000000000}"#),
        ("bare minus", DecoderTestSupport.event(#","x":-"#)),
        ("fraction without digits", DecoderTestSupport.event(#","x":1."#)),
        ("fraction without integer", DecoderTestSupport.event(#","x":.5"#)),
        ("exponent without digits", DecoderTestSupport.event(#","x":1e"#)),
        ("exponent sign without digits", DecoderTestSupport.event(#","x":1e+"#)),
        ("hex number", DecoderTestSupport.event(#","x":0x10"#)),
        ("unescaped tab in string", "{\"meme_id\":\"m\t1\",\"type\":\"view\",\"ts\":1700000000000}"),
        ("unescaped newline in string", "{\"meme_id\":\"m\n1\",\"type\":\"view\",\"ts\":1700000000000}"),
        ("unescaped NUL in string", "{\"meme_id\":\"m\u{0}1\",\"type\":\"view\",\"ts\":1700000000000}"),
        ("unknown escape", #"{"meme_id":"m\x31","type":"view","ts":1700000000000}"#),
        ("short unicode escape", #"{"meme_id":"m\u031","type":"view","ts":1700000000000}"#),
        ("lone high surrogate", #"{"meme_id":"m\ud83d","type":"view","ts":1700000000000}"#),
        ("lone high surrogate then text", #"{"meme_id":"\ud83dxx","type":"view","ts":1700000000000}"#),
        ("high surrogate then non-surrogate", #"{"meme_id":"\ud83d\u0041","type":"view","ts":1700000000000}"#),
        ("lone low surrogate", #"{"meme_id":"\ude00","type":"view","ts":1700000000000}"#),
        ("reversed surrogates", #"{"meme_id":"\ude00\ud83d","type":"view","ts":1700000000000}"#),
        ("unterminated string", #"{"meme_id":"m1"#),
        ("unterminated object", #"{"meme_id":"m1","type":"view","ts":1700000000000"#),
        ("text after the object", #"{"meme_id":"m1","type":"view","ts":1700000000000}x"#),
        ("second object", #"{"meme_id":"m1","type":"view","ts":1700000000000}{}"#),
        ("capitalised literal", DecoderTestSupport.event(#","x":True"#)),
        ("truncated literal", DecoderTestSupport.event(#","x":nul"#)),
        ("unclosed nested array", DecoderTestSupport.event(#","x":[[1]"#)),
        ("mismatched brackets", DecoderTestSupport.event(#","x":[1}"#)),
        ("nested trailing comma", DecoderTestSupport.event(#","x":{"a":1,}"#)),
        ("nested missing value", DecoderTestSupport.event(#","x":{"a":}"#)),
        ("nested non-string name", DecoderTestSupport.event(#","x":{1:2}"#)),
        ("duplicate unknown name", DecoderTestSupport.event(#","x":1,"x":2"#)),
        ("duplicate name after unescaping", #"{"meme_id":"m1","type":"view","\u0074ype":"like","ts":1700000000000}"#),
        ("duplicate unknown after unescaping", DecoderTestSupport.event(#","ab":1,"a\u0062":2"#)),
        ("duplicate null optional", DecoderTestSupport.event(#","user_id":null,"user_id":"u"#)),
        ("whitespace only", "  \n"),
        ("vertical tab as whitespace", "\u{0B}" + DecoderTestSupport.event()),
        ("form feed as whitespace", DecoderTestSupport.event() + "\u{0C}"),
        ("non-breaking space as whitespace", "\u{A0}" + DecoderTestSupport.event()),
        ("byte order mark", "\u{FEFF}" + DecoderTestSupport.event()),
        ("top-level null", "null"),
        ("top-level number", "1700000000000"),
    ]

    @Test(arguments: malformedRows)
    func malformedInputIsRejected(_ name: String, _ input: String) {
        let result = DecoderTestSupport.decode(input)
        #expect(result.rejection?.reason == .malformedJSON, "\(name): \(result)")
    }

    @Test func byteOrderMarkIsNamed() {
        let result = DecoderTestSupport.decode("\u{FEFF}" + DecoderTestSupport.event())
        #expect(result.rejection?.reason == .malformedJSON)
        #expect(result.rejection?.detail.contains("byte order mark") == true, "\(result)")
    }

    /// Invalid UTF-8 byte sequences placed inside the `meme_id` string.
    static let invalidUTF8Rows: [(String, [UInt8])] = [
        ("lone continuation byte", [0x80]),
        ("overlong slash, two bytes", [0xC0, 0xAF]),
        ("overlong C1 lead", [0xC1, 0xBF]),
        ("overlong three bytes", [0xE0, 0x80, 0xAF]),
        ("overlong four bytes", [0xF0, 0x80, 0x80, 0xAF]),
        ("UTF-8 encoded high surrogate", [0xED, 0xA0, 0x80]),
        ("UTF-8 encoded low surrogate", [0xED, 0xBF, 0xBF]),
        ("above U+10FFFF", [0xF4, 0x90, 0x80, 0x80]),
        ("F5 lead", [0xF5, 0x80, 0x80, 0x80]),
        ("FF byte", [0xFF]),
        ("two-byte sequence cut short", [0xC3]),
        ("three-byte sequence cut short", [0xE2, 0x82]),
        ("four-byte sequence cut short", [0xF0, 0x9F, 0x98]),
        ("continuation replaced by ASCII", [0xE2, 0x41, 0x82]),
    ]

    @Test(arguments: invalidUTF8Rows)
    func invalidUTF8IsRejected(_ name: String, _ bytes: [UInt8]) {
        let input = Array(#"{"meme_id":"m"#.utf8) + bytes + Array(#"","type":"view","ts":1700000000000}"#.utf8)
        let result = DecoderTestSupport.defaultDecoder.decode(input, recordTimestamp: nil)
        #expect(result.rejection?.reason == .malformedJSON, "\(name): \(result)")
    }

    @Test func invalidUTF8AtTheEndOfTheInputIsRejected() {
        let input = Array(#"{"meme_id":"m1","type":"view","ts":1700000000000,"x":""#.utf8) + [0xE2, 0x82]
        #expect(
            DecoderTestSupport.defaultDecoder.decode(input, recordTimestamp: nil).rejection?.reason == .malformedJSON
        )
    }

    /// Valid multi-byte characters at each boundary of the UTF-8 table.
    static let validUTF8Rows: [String] = [
        "\u{80}", "\u{7FF}", "\u{800}", "\u{D7FF}", "\u{E000}", "\u{FFFF}", "\u{10000}", "\u{10FFFF}",
    ]

    @Test(arguments: validUTF8Rows)
    func validUTF8IsAccepted(_ character: String) {
        let input = #"{"meme_id":"m"# + character + #"","type":"view","ts":1700000000000}"#
        #expect(DecoderTestSupport.decode(input).event?.memeID == "m" + character)
    }

    static let acceptedRows: [(String, String)] = [
        (
            "whitespace everywhere",
            " \t\r\n{ \"meme_id\" : \"m1\" ,\n\"type\"\t:\"view\" , \"ts\" : 1700000000000 } \r\n"
        ),
        ("every literal in unknown fields", DecoderTestSupport.event(#","a":true,"b":false,"c":null"#)),
        (
            "numbers in unknown fields",
            DecoderTestSupport.event(#","a":[0,-0,0.5,-1.25e-7,1E+9,123456789012345678901234567890]"#)
        ),
        ("empty containers", DecoderTestSupport.event(#","a":[],"b":{},"c":[{}],"d":{"e":[]}"#)),
        ("nested objects may repeat names", DecoderTestSupport.event(#","a":{"k":1},"b":{"k":2}"#)),
        ("escapes in unknown names", DecoderTestSupport.event(#","\u00e9\n":1"#)),
        ("every simple escape", DecoderTestSupport.event(#","x":"\"\\\/\b\f\n\r\t""#)),
        ("escaped slash in id", #"{"meme_id":"a\/b","type":"view","ts":1700000000000}"#),
        ("empty unknown name", DecoderTestSupport.event(#","":1"#)),
        ("known name with different case is unknown", DecoderTestSupport.event(#","TS":"x","Type":5"#)),
        ("members in any order", #"{"ts":1700000000000,"type":"view","meme_id":"m1"}"#),
    ]

    @Test(arguments: acceptedRows)
    func validInputIsAccepted(_ name: String, _ input: String) {
        let result = DecoderTestSupport.decode(input)
        #expect(result.event != nil, "\(name): \(result)")
    }

    @Test func escapedMemberNamesMatchKnownFields() throws {
        let input = #"{"\u006deme_id":"m1","typ\u0065":"view","\u0074\u0073":1700000000000}"#
        let event = try #require(DecoderTestSupport.decode(input).event)
        #expect(event.memeID == "m1")
    }

    /// A 100 000-deep array in an unknown field: skipped without recursion when the size limit
    /// allows it, rejected as too large with the default limit.
    @Test func deepNestingDoesNotOverflowTheStack() {
        let depth = 100_000
        let nested = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let input = DecoderTestSupport.event(#","deep":"# + nested)
        let roomy = EventDecoder(maxEventBytes: 1 << 20)
        #expect(DecoderTestSupport.decode(input, decoder: roomy).event != nil)
        #expect(DecoderTestSupport.decode(input).rejection?.reason == .tooLarge)

        let unbalanced = DecoderTestSupport.event(#","deep":"# + String(repeating: "[", count: depth))
        #expect(DecoderTestSupport.decode(unbalanced, decoder: roomy).rejection?.reason == .malformedJSON)

        let objects = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
        #expect(
            DecoderTestSupport.decode(DecoderTestSupport.event(#","deep":"# + objects), decoder: roomy).event != nil
        )
    }

    @Test func deepNestingInsideTheLimitIsSkipped() {
        // 32 000 levels fit in 64 KiB and use the spilled part of the container stack.
        let depth = 32_000
        let mixed = String(repeating: #"[{"k":"#, count: depth / 2) + "0" + String(repeating: "}]", count: depth / 2)
        let input = DecoderTestSupport.event(#","deep":"# + mixed)
        #expect(input.utf8.count <= 65_536 * 2)
        let roomy = EventDecoder(maxEventBytes: 1 << 20)
        #expect(DecoderTestSupport.decode(input, decoder: roomy).event != nil)
        let wrongClose = DecoderTestSupport.event(
            #","deep":"# + String(repeating: #"[{"k":"#, count: 100) + "0" + String(repeating: "]}", count: 100)
        )
        #expect(DecoderTestSupport.decode(wrongClose).rejection?.reason == .malformedJSON)
    }

    /// Builds `,"u0":0,"u1":0,...` for the given member indices.
    static func unknownMembers(_ indices: [Int]) -> String {
        indices.map { #","u"# + String($0) + #"":0"# }.joined()
    }

    /// Inputs with more than eight unknown members, which move to the spilled name set.
    static let manyUnknownRows: [(String, [Int], Bool)] = [
        ("eight distinct", Array(0..<8), true),
        ("nine distinct", Array(0..<9), true),
        ("twenty distinct", Array(0..<20), true),
        ("ninth repeats the first", Array(0..<8) + [0], false),
        ("tenth repeats the ninth", Array(0..<9) + [8], false),
        ("twentieth repeats the third", Array(0..<19) + [2], false),
    ]

    @Test(arguments: manyUnknownRows)
    func manyUnknownMembers(_ name: String, _ indices: [Int], _ accepted: Bool) {
        let result = DecoderTestSupport.decode(DecoderTestSupport.event(Self.unknownMembers(indices)))
        if accepted {
            #expect(result.event != nil, "\(name): \(result)")
        } else {
            #expect(result.rejection?.reason == .malformedJSON, "\(name): \(result)")
        }
    }

    @Test func escapedRepeatAfterSpillIsDuplicate() {
        let input = DecoderTestSupport.event(Self.unknownMembers(Array(0..<12)) + #","\u00755":1"#)
        #expect(DecoderTestSupport.decode(input).rejection?.reason == .malformedJSON)
    }

    @Test func thousandsOfUnknownMembersFitTheLimit() {
        let members = Self.unknownMembers(Array(0..<6_000))
        let input = DecoderTestSupport.event(members)
        #expect(input.utf8.count <= 65_536)
        #expect(DecoderTestSupport.decode(input).event != nil)
        let repeated = DecoderTestSupport.event(members + #","u5999":1"#)
        #expect(DecoderTestSupport.decode(repeated).rejection?.reason == .malformedJSON)
    }

    @Test func malformedDetailNamesTheOffset() throws {
        let rejection = try #require(DecoderTestSupport.decode(#"{"meme_id":"m1",}"#).rejection)
        #expect(rejection.detail.contains("byte 16"), "\(rejection.detail)")
        #expect(rejection.detail.contains("'}'"), "\(rejection.detail)")
    }

    @Test func duplicateDetailNamesTheMember() throws {
        let rejection = try #require(DecoderTestSupport.decode(DecoderTestSupport.event(#","zz":1,"zz":2"#)).rejection)
        #expect(rejection.detail.contains(#""zz""#), "\(rejection.detail)")
    }
}

/// Tests of the number scanner's eight-digit step, checked against `UInt64(_:)` parsing.
@Suite struct DecoderEightDigitTests {
    private static func word(_ text: String) -> UInt64 {
        var word: UInt64 = 0
        for (index, byte) in text.utf8.enumerated() {
            word |= UInt64(byte) << (8 * UInt64(index))
        }
        return word
    }

    @Test(arguments: ["00000000", "12345678", "99999999", "17672256", "00000001", "90000000"])
    func eightDigitsGiveTheirValue(_ text: String) {
        #expect(JSONScanner.isEightDigits(Self.word(text)))
        #expect(JSONScanner.valueOfEightDigits(Self.word(text)) == UInt64(text)!)
    }

    @Test(arguments: ["1234567a", "/2345678", ":2345678", "1234 678", "1234567.", "12345-78", "\u{7F}2345678"])
    func anyOtherByteIsNotADigit(_ text: String) {
        #expect(!JSONScanner.isEightDigits(Self.word(text)))
    }

    @Test func numbersAcrossTheStepDecodeExactly() {
        let texts = [
            "1", "12345678", "123456789", "1234567890123", "9223372036854775807", "9223372036854775808",
            "18446744073709551615", "18446744073709551616", "123456789012345678901234",
        ]
        for text in texts {
            let bytes = Array(text.utf8) + Array(" }".utf8)
            let token = bytes.withUnsafeBytes { buffer -> JSONNumberToken? in
                var scanner = JSONScanner(base: buffer.baseAddress!, count: buffer.count)
                return try? scanner.scanNumber()
            }
            let expected = UInt64(text)
            #expect(token?.overflowed == (expected == nil), "\(text)")
            if let expected {
                #expect(token?.magnitude == expected, "\(text)")
            }
        }
    }
}
