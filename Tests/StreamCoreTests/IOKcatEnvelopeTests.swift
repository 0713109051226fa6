import Testing

@testable import StreamCore

@Suite struct IOKcatEnvelopeTests {
    private func parse(
        _ text: String
    ) throws -> (
        partition: Int32, offset: Int64, timestamp: Int64?, key: String?, payload: String?
    ) {
        let parser = KcatEnvelopeParser()
        var bytes = Array(text.utf8)
        return try bytes.withUnsafeMutableBytes { raw in
            let envelope = try parser.parse(UnsafeRawBufferPointer(raw))
            return (
                envelope.partition,
                envelope.offset,
                envelope.timestamp,
                envelope.key.map { String(decoding: $0, as: UTF8.self) },
                envelope.payload.map { String(decoding: $0, as: UTF8.self) }
            )
        }
    }

    @Test func parsesKcatLine() throws {
        let line =
            #"{"topic": "memes.events", "partition": 3, "offset": 42, "tstype": "create", "ts": 1700006410050, "broker": 0, "key": "m1", "payload": "{\"meme_id\":\"m1\",\"type\":\"view\",\"ts\":1700006410000}"}"#
        let envelope = try parse(line)
        #expect(envelope.partition == 3)
        #expect(envelope.offset == 42)
        #expect(envelope.timestamp == 1_700_006_410_050)
        #expect(envelope.key == "m1")
        #expect(envelope.payload == #"{"meme_id":"m1","type":"view","ts":1700006410000}"#)
    }

    @Test func minusOneTimestampAndNullKeyAndPayload() throws {
        let envelope = try parse(#"{"partition":0,"offset":0,"ts":-1,"key":null,"payload":null}"#)
        #expect(envelope.timestamp == nil)
        #expect(envelope.key == nil)
        #expect(envelope.payload == nil)
    }

    @Test func unescapesEveryEscapeForm() throws {
        let envelope = try parse(#"{"partition":0,"offset":1,"payload":"a\"b\\c\/d\n\t\r\b\f\u00e9\ud83d\ude00"}"#)
        #expect(envelope.payload == "a\"b\\c/d\n\t\r\u{08}\u{0C}é😀")
    }

    @Test func ignoresUnknownMembersOfAnyShape() throws {
        let envelope = try parse(
            #"{"headers":["a","b",{"x":[1,2.5e3,true,false,null]}],"partition":1,"offset":2,"payload":"p"}"#
        )
        #expect(envelope.partition == 1)
        #expect(envelope.payload == "p")
    }

    @Test(arguments: [
        ("", "expected '{'"),
        ("not json", "expected '{'"),
        (#"{"partition":0,"offset":0}"#, "missing member \"payload\""),
        (#"{"offset":0,"payload":"x"}"#, "missing member \"partition\""),
        (#"{"partition":0,"payload":"x"}"#, "missing member \"offset\""),
        (#"{"partition":-1,"offset":0,"payload":"x"}"#, "outside"),
        (#"{"partition":0,"offset":1.5,"payload":"x"}"#, "must be an integer"),
        (#"{"partition":0,"offset":0,"ts":-2,"payload":"x"}"#, "outside"),
        (#"{"partition":"0","offset":0,"payload":"x"}"#, "must be an integer"),
        (#"{"partition":0,"offset":0,"payload":5}"#, "must be a string or null"),
        (#"{"partition":0,"offset":0,"payload":"x"} trailing"#, "unexpected bytes"),
        (#"{"partition":0,"partition":1,"offset":0,"payload":"x"}"#, "appears twice"),
        (#"{"partition":0,"offset":0,"payload":"x"#, "unterminated string"),
        (#"{"partition":0,"offset":0,"payload":"\x"}"#, "invalid escape"),
        (#"{"partition":0,"offset":0,"payload":"\ud800"}"#, "surrogate"),
        (#"{"partition":0,"offset":99999999999999999999,"payload":"x"}"#, "out of range"),
        (#"{"partition":0,"offset":0,"payload":"x",}"#, "member name"),
    ])
    func rejectsBadEnvelope(line: String, expectedReason: String) throws {
        let error = try #require(throws: KcatEnvelopeError.self) { try parse(line) }
        #expect(error.reason.contains(expectedReason), "got: \(error)")
        #expect(error.column >= 1)
    }

    @Test func parserReusesScratchAcrossLines() throws {
        let parser = KcatEnvelopeParser()
        for index in 0..<1000 {
            let payload = String(repeating: "p", count: index)
            var bytes = Array(#"{"partition":0,"offset":\#(index),"payload":"\#(payload)"}"#.utf8)
            try bytes.withUnsafeMutableBytes { raw in
                let envelope = try parser.parse(UnsafeRawBufferPointer(raw))
                #expect(envelope.offset == Int64(index))
                #expect(envelope.payload?.count == index)
            }
        }
    }
}
