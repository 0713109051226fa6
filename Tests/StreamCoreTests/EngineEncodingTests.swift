import Testing

@testable import StreamCore

@Suite struct EngineEncodingTests {
    @Test(arguments: [
        (FeatureValue.float(2.0), "2.0"),
        (.float(0.03333333333333333), "0.03333333333333333"),
        (.float(1e-05), "1e-05"),
        (.float(0.05), "0.05"),
        (.float(1e16), "1e+16"),
        (.float(-0.5), "-0.5"),
        (.float(.nan), "null"),
        (.integer(1_700_000_010_000), "1700000010000"),
        (.integer(-3), "-3"),
        (.integer(0), "0"),
        (.null, "null"),
    ])
    func valueIsWrittenAsPythonWould(value: FeatureValue, expected: String) {
        var bytes: [UInt8] = []
        JSONOutput.appendValue(value, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == expected)
    }

    @Test(arguments: [
        ("m1", #""m1""#),
        ("a\"b", #""a\"b""#),
        ("back\\slash", #""back\\slash""#),
        ("line\nfeed\ttab", #""line\nfeed\ttab""#),
        ("\u{01}", #""\u0001""#),
        ("é", "\"é\""),
    ])
    func stringIsEscaped(text: String, expected: String) {
        var bytes: [UInt8] = []
        JSONOutput.appendString(text, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == expected)
    }

    @Test func stateFieldsRoundTrip() throws {
        var writer = StateWriter()
        writer.writeUInt8(7)
        writer.writeUInt32(123_456)
        writer.writeInt64(-42)
        writer.writeDouble(0.1)
        writer.writeBool(true)
        writer.writeOptionalInt64(nil)
        writer.writeOptionalInt64(5)
        writer.writeString("mème")
        writer.writeBytes([1, 2, 3])
        writer.writeFeatureValue(.float(2.5))
        writer.writeFeatureValue(.null)
        var reader = StateReader(writer.bytes)
        #expect(try reader.readUInt8() == 7)
        #expect(try reader.readUInt32() == 123_456)
        #expect(try reader.readInt64() == -42)
        #expect(try reader.readDouble() == 0.1)
        #expect(try reader.readBool())
        #expect(try reader.readOptionalInt64() == nil)
        #expect(try reader.readOptionalInt64() == 5)
        #expect(try reader.readString() == "mème")
        #expect(try reader.readBytes() == [1, 2, 3])
        #expect(try reader.readFeatureValue() == .float(2.5))
        #expect(try reader.readFeatureValue() == .null)
        #expect(reader.isAtEnd)
    }

    @Test func truncatedStateNamesFieldAndPosition() {
        var writer = StateWriter()
        writer.writeInt64(1)
        var reader = StateReader(Array(writer.bytes.prefix(5)))
        do {
            _ = try reader.readInt64("pane start")
            Issue.record("read past the end")
        } catch {
            #expect(error.message.contains("pane start"))
            #expect(error.message.contains("byte 0"))
        }
    }

    @Test func invalidBooleanIsRejected() {
        var reader = StateReader([2])
        #expect(throws: StateDecodingError.self) { try reader.readBool("flag") }
    }
}
