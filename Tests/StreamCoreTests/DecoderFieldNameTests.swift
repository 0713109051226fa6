import Testing

@testable import StreamCore

/// The word constants of ``EventField/matching(_:count:)`` against the names they stand for.
@Suite struct DecoderFieldNameTests {
    @Test(arguments: EventField.allCases)
    func knownNameMatchesItsField(_ field: EventField) {
        let name = Array(field.jsonName.description.utf8)
        let matched = name.withUnsafeBufferPointer { EventField.matching($0.baseAddress!, count: $0.count) }
        #expect(matched == field)
    }

    static let unknownNames = [
        "tz", "Type", "types", "meme_iD", "user_ix", "mser_id", "dwell_mx", "published_aT", "", "t",
    ]

    @Test(arguments: unknownNames)
    func otherNameMatchesNothing(_ text: String) {
        // Padding keeps the word loads inside the buffer for the shortest names.
        let name = Array(text.utf8) + [0, 0, 0, 0, 0, 0, 0, 0]
        let matched = name.withUnsafeBufferPointer { EventField.matching($0.baseAddress!, count: text.utf8.count) }
        #expect(matched == nil)
    }

    @Test func everyByteOfEachNameMatters() {
        for field in EventField.allCases {
            let name = Array(field.jsonName.description.utf8)
            for index in name.indices {
                var changed = name
                changed[index] ^= 0x20
                let matched = changed.withUnsafeBufferPointer { EventField.matching($0.baseAddress!, count: $0.count) }
                #expect(matched == nil, "\(field.jsonName) with byte \(index) changed")
            }
        }
    }

    @Test(arguments: EventField.allCases)
    func quotedNameWithColonMatchesItsField(_ field: EventField) {
        let pattern = "\"\(field.jsonName)\":"
        // Padding keeps the 16-byte read inside the buffer.
        let bytes = Array(pattern.utf8) + Array(repeating: UInt8(ascii: "1"), count: 16)
        let length = bytes.withUnsafeBytes { field.quotedNameLength(at: $0.baseAddress!) }
        #expect(length == pattern.utf8.count)
        for other in EventField.allCases where other != field {
            let otherLength = bytes.withUnsafeBytes { other.quotedNameLength(at: $0.baseAddress!) }
            #expect(otherLength == 0, "\(other.jsonName) matched \(pattern)")
        }
    }

    @Test func everyByteOfEachQuotedNameMatters() {
        for field in EventField.allCases {
            let pattern = Array("\"\(field.jsonName)\":".utf8)
            for index in pattern.indices {
                var changed = pattern + Array(repeating: UInt8(ascii: "1"), count: 16)
                changed[index] ^= 0x20
                let length = changed.withUnsafeBytes { field.quotedNameLength(at: $0.baseAddress!) }
                #expect(length == 0, "\(field.jsonName) with byte \(index) changed")
            }
        }
    }

    @Test func usualOrderEndsAfterDwell() {
        #expect(EventField.memeID.usualSuccessor == .type)
        #expect(EventField.userID.usualSuccessor == .publishedAt)
        #expect(EventField.dwellMilliseconds.usualSuccessor == nil)
    }
}
