import Foundation
import Testing

@testable import StreamCore

/// A bounded, seeded mutation fuzzer for ``EventDecoder``.
///
/// Each input is decoded twice. The decoder must not crash, must return the same result both
/// times, and every accepted event must satisfy the input rules. Foundation's JSON parser serves
/// as a second opinion on accepted inputs: it must parse them to an object with the same
/// `meme_id` and `type`. The loop stops after a fixed number of inputs or a time budget,
/// whichever comes first, so the test stays within about 15 s in a debug build.
@Suite struct DecoderFuzzTests {
    static let iterations = 150_000
    static let timeBudget = Duration.seconds(15)

    /// Seeds of valid events the mutations start from.
    static let seeds: [String] = [
        #"{"meme_id":"m1","type":"view","ts":1700000000000}"#,
        #"{"meme_id":"m\u00e9\/x","type":"like","ts":"2023-11-14T22:13:20.123+01:00","user_id":"u7"}"#,
        #"{"type":"share","ts":1700000000000,"meme_id":"e2631837-73ef","dwell_ms":1200,"published_at":null}"#,
        #"{"meme_id":"m","type":"save","ts":"2023-11-14t22:13:20z","extra":{"a":[1,-0.5e3,true,false,null,"s"]}}"#,
        " {\"meme_id\" : \"\u{1F600}\", \"type\" : \"view\" ,\n\"ts\" : 1700000000000 } ",
    ]

    /// Byte strings that mutations splice in: JSON structure, escapes, numbers and invalid UTF-8.
    static let fragments: [[UInt8]] =
        [
            "\"", "\\", "{", "}", "[", "]", ",", ":", " ", "\n", "null", "true", "-", "0", "1e5", "-0",
            "NaN", "\\u", "\\ud800", "\\udc00", "\\u0041", "\"ts\":", "\"meme_id\":", "9999999999999999999999",
            "1.5", "\"2023-02-29T00:00:00Z\"", "//", "/*",
        ].map { Array($0.utf8) } + [
            [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0xFF], [0x00], [0x1F],
        ]

    @Test func mutatedInputsNeverBreakTheDecoder() throws {
        // MEMESTREAM_FUZZ_SEED explores other inputs; the default keeps every run identical.
        let seedText = ProcessInfo.processInfo.environment["MEMESTREAM_FUZZ_SEED"] ?? ""
        var random = SplitMix64(seed: UInt64(seedText) ?? 0x5EED_CAFE)
        let decoder = EventDecoder(maxEventBytes: 4096, maxFutureSkewMilliseconds: 60_000)
        let clock = ContinuousClock()
        let deadline = clock.now + Self.timeBudget
        var outcomes: [String: Int] = [:]
        var inputs = 0

        for iteration in 0..<Self.iterations {
            if clock.now >= deadline {
                break
            }
            let input = makeInput(iteration: iteration, random: &random)
            let recordTimestamp: Int64? = random.next(below: 4) == 0 ? nil : 1_700_000_000_000
            let first = decoder.decode(input, recordTimestamp: recordTimestamp)
            let second = decoder.decode(input, recordTimestamp: recordTimestamp)
            inputs += 1
            #expect(first == second, "decoding is not deterministic for \(Self.render(input))")
            checkViewAgrees(first, input: input, decoder: decoder, recordTimestamp: recordTimestamp)

            switch first {
            case .accepted(let event):
                outcomes["accepted", default: 0] += 1
                checkAcceptedEvent(event, input: input, recordTimestamp: recordTimestamp)
            case .rejected(let rejection):
                outcomes[rejection.reason.rawValue, default: 0] += 1
                #expect(rejection.reason != .late, "the decoder never applies the late rule")
                #expect(!rejection.detail.isEmpty, "empty detail for \(Self.render(input))")
            }
        }

        // The corpus must exercise both outcomes and most reasons, or the fuzzer tests little.
        #expect(inputs >= 1_000, "only \(inputs) inputs ran within the time budget")
        #expect(outcomes["accepted", default: 0] > 0, "\(outcomes)")
        #expect(outcomes["malformed_json", default: 0] > 0, "\(outcomes)")
        #expect(outcomes.count >= 5, "\(outcomes)")
    }

    /// `decodeView` must accept and reject exactly what `decode` does, with the same event.
    private func checkViewAgrees(
        _ expected: DecodeResult,
        input: [UInt8],
        decoder: EventDecoder,
        recordTimestamp: Int64?
    ) {
        input.withUnsafeBytes { value in
            let viewed: DecodeResult
            switch decoder.decodeView(value, recordTimestamp: recordTimestamp) {
            case .view(let view):
                viewed = .accepted(view.makeEvent())
                #expect(view.timeFieldsEvent.eventTime == view.eventTime)
            case .accepted(let event):
                viewed = .accepted(event)
            case .rejected(let rejection):
                viewed = .rejected(rejection)
            }
            #expect(viewed == expected, "decodeView differs from decode for \(Self.render(input))")
        }
    }

    /// Builds input number `iteration`: every 16th is random bytes, the rest mutated seeds.
    private func makeInput(iteration: Int, random: inout SplitMix64) -> [UInt8] {
        if iteration % 16 == 15 {
            let length = Int(random.next(below: 64))
            return (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        }
        var bytes = Array(Self.seeds[Int(random.next(below: UInt64(Self.seeds.count)))].utf8)
        let mutations = 1 + Int(random.next(below: 4))
        for _ in 0..<mutations {
            mutate(&bytes, random: &random)
        }
        return bytes
    }

    private func mutate(_ bytes: inout [UInt8], random: inout SplitMix64) {
        let position = bytes.isEmpty ? 0 : Int(random.next(below: UInt64(bytes.count)))
        switch random.next(below: 6) {
        case 0 where !bytes.isEmpty:
            bytes[position] ^= UInt8(1 << random.next(below: 8))
        case 1:
            bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: position)
        case 2 where !bytes.isEmpty:
            bytes.remove(at: position)
        case 3:
            bytes.insert(
                contentsOf: Self.fragments[Int(random.next(below: UInt64(Self.fragments.count)))],
                at: position
            )
        case 4 where !bytes.isEmpty:
            let length = min(bytes.count - position, 1 + Int(random.next(below: 16)))
            bytes.insert(contentsOf: bytes[position..<(position + length)], at: position)
        default:
            bytes.removeLast(min(bytes.count, Int(random.next(below: 4))))
        }
    }

    private func checkAcceptedEvent(_ event: Event, input: [UInt8], recordTimestamp: Int64?) {
        let inputText = Self.render(input)
        #expect((1...128).contains(event.memeID.utf8.count), "meme_id length in \(inputText)")
        #expect(Self.isEventType(event.type), "type pattern in \(inputText)")
        #expect(event.eventTime >= EventTime.minimumValid, "ts in \(inputText)")
        #expect(event.eventTime < EventTime.endOfValid, "ts in \(inputText)")
        if let userID = event.userID {
            #expect((1...128).contains(userID.utf8.count), "user_id length in \(inputText)")
        }
        if let publishedAt = event.publishedAt {
            #expect(
                publishedAt >= EventTime.minimumValid && publishedAt < EventTime.endOfValid,
                "published_at in \(inputText)"
            )
        }
        if let dwell = event.dwellMilliseconds {
            #expect(dwell >= 0, "dwell_ms in \(inputText)")
        }
        if let recordTimestamp {
            #expect(event.eventTime.rawValue <= recordTimestamp + 60_000, "future ts in \(inputText)")
        }

        // Second opinion: Foundation must read the same object. Foundation rejects numbers it
        // cannot hold in a Double (such as 1e500), which RFC 8259 allows a parser to limit, so
        // inputs with long digit runs or exponents of three or more digits skip this check.
        if Self.longestDigitRun(input) >= 16 || Self.hasLongExponent(input) {
            return
        }
        let parsed = try? JSONSerialization.jsonObject(with: Data(input), options: [.fragmentsAllowed])
        let object = parsed as? [String: Any]
        #expect(object != nil, "Foundation cannot parse accepted input \(inputText)")
        if let object {
            #expect(object["meme_id"] as? String == event.memeID, "meme_id differs for \(inputText)")
            #expect(object["type"] as? String == event.type, "type differs for \(inputText)")
        }
    }

    private static func longestDigitRun(_ input: [UInt8]) -> Int {
        var longest = 0
        var current = 0
        for byte in input {
            current = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? current + 1 : 0
            longest = max(longest, current)
        }
        return longest
    }

    private static func hasLongExponent(_ input: [UInt8]) -> Bool {
        let isDigit = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        for index in input.indices where input[index] == UInt8(ascii: "e") || input[index] == UInt8(ascii: "E") {
            var cursor = index + 1
            if cursor < input.count && (input[cursor] == UInt8(ascii: "+") || input[cursor] == UInt8(ascii: "-")) {
                cursor += 1
            }
            let digitsStart = cursor
            while cursor < input.count && isDigit(input[cursor]) {
                cursor += 1
            }
            if cursor - digitsStart >= 3 {
                return true
            }
        }
        return false
    }

    private static func isEventType(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first), bytes.count <= 32 else {
            return false
        }
        return bytes.dropFirst().allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_")
        }
    }

    /// Renders an input for a failure message: printable ASCII as is, other bytes as \xNN.
    static func render(_ input: [UInt8]) -> String {
        input.map { byte in
            (0x20..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
        }
        .joined()
    }
}
