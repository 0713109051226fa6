import Foundation
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

    /// Python's `repr` of a finite double: `description`, except that between 2^53 and 10^16
    /// Python writes the integer the double is, with `.0`, where Swift writes an exponent.
    static func pythonRepr(_ value: Double) -> String {
        let magnitude = value.magnitude
        if magnitude >= 9_007_199_254_740_992, magnitude < 1e16 {
            return String(format: "%.1f", value)
        }
        return value.description
    }

    @Test(arguments: [
        (5e15, "5000000000000000.0"),
        (9.007199254740992e15, "9007199254740992.0"),
        (9.1e15, "9100000000000000.0"),
        (-9.1e15, "-9100000000000000.0"),
        (9_999_999_999_999_998, "9999999999999998.0"),
        (1e16, "1e+16"),
        (1.5e16, "1.5e+16"),
        (123_456_789_012_345.6, "123456789012345.6"),
        (1e-5, "1e-05"),
        (0.00012345, "0.00012345"),
    ])
    func doubleUsesPythonReprSpelling(value: Double, expected: String) {
        // The expected texts are Python 3's repr of each value.
        var bytes: [UInt8] = []
        JSONOutput.appendDouble(value, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == expected)
    }

    @Test func doublesAreWrittenAsPythonReprWould() {
        // Decimals with up to three fraction digits take the direct path; the rest, and values
        // near its limits, get `description`'s digits. Both must give Python's spelling.
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = [
            0.001, 0.0011, 0.000999, 5, 0.2, 12.5, -3.75, 1e12, 999_999_999_999.999, 1e12 - 0.001, 0.3, 2.675,
            4_503_599_627_370_496.5, -0.0, 0, .ulpOfOne, .greatestFiniteMagnitude, .leastNonzeroMagnitude,
            .infinity, -.infinity, .nan, 1 / 3, 2.0 / 3, 1.005, 1.015, 0.125, 1234567.125,
        ]
        for _ in 0..<20_000 {
            let units = Int64.random(in: -5_000_000_000_000...5_000_000_000_000, using: &generator)
            let scale = [1.0, 10, 100, 1000, 10_000][Int.random(in: 0..<5, using: &generator)]
            values.append(Double(units) / scale)
            values.append(Double(Int.random(in: 0..<600, using: &generator)) / 5)
            values.append(Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &generator)))
            values.append(Double.random(in: 9e15...1.1e16, using: &generator))
        }
        for value in values {
            var bytes: [UInt8] = []
            JSONOutput.appendDouble(value, to: &bytes)
            let expected = value.isFinite ? Self.pythonRepr(value) : "null"
            #expect(String(decoding: bytes, as: UTF8.self) == expected, "\(value.bitPattern)")
        }
    }

    @Test(
        arguments: [
            Int64.min, Int64.min + 1, -1_000_000_000_000, -10, -9, -1, 0, 1, 9, 10, 11, 99, 100, 101, 999, 1000,
            1_700_000_010_000, 999_999_999_999_999_999, 1_000_000_000_000_000_000, -1_000_000_000_000_000_000,
            Int64.max - 1, Int64.max,
        ]
    )
    func integerIsWrittenAsStringWould(value: Int64) {
        var bytes: [UInt8] = []
        JSONOutput.appendInteger(value, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == String(value))
    }

    @Test func randomIntegersAreWrittenAsStringWould() {
        // Magnitudes of every length from 1 to 19 digits, both signs.
        var random: UInt64 = 11
        var bytes: [UInt8] = []
        var mismatches = 0
        for round in 0..<200_000 {
            random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let value = Int64(bitPattern: random) >> (round % 64)
            bytes.removeAll(keepingCapacity: true)
            JSONOutput.appendInteger(value, to: &bytes)
            if !bytes.elementsEqual(String(value).utf8) { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test func stringAfterPlainPrefixIsEscaped() {
        var bytes: [UInt8] = [UInt8(ascii: "x")]
        JSONOutput.appendString("meme-1", to: &bytes)
        JSONOutput.appendString("meme-\u{7}", to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == #"x"meme-1""meme-\u0007""#)
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
