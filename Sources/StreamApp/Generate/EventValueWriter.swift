/// Formats a pending event as its record value (compact JSON, fields in the order of the event
/// schema) and its record key, applying the event's defect if it has one.
///
/// Complexity: O(value size); appends to the caller's buffer and allocates nothing else.
enum EventValueWriter {
    /// Value size of an `oversized` record: one byte per KiB past the 64 KiB limit.
    static let oversizedValueBytes = 65_536 + 64
    /// Offset of the `textWithOffset` timestamp form, in minutes.
    static let textOffsetMinutes = 120

    /// Appends the record key: the `meme_id` text, or the `user_id` (`anonymous` when there is
    /// none) for a record with a mismatched key.
    static func appendKey(of event: PendingEvent, to bytes: inout [UInt8]) {
        if event.hasMismatchedKey {
            if event.userNumber >= 0 {
                bytes.append(UInt8(ascii: "u"))
                bytes.appendDecimal(event.userNumber)
            } else {
                bytes.appendText("anonymous")
            }
        } else {
            bytes.append(UInt8(ascii: "m"))
            bytes.appendDecimal(event.memeNumber)
        }
    }

    /// Appends the bytes the record is partitioned by: the `meme_id` text, even when the key is
    /// another id. A producer that partitioned by the wrong key would split a meme's state over
    /// partitions, which memestream cannot repair, so the generator models a wrong key only.
    static func appendPartitionKey(of event: PendingEvent, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "m"))
        bytes.appendDecimal(event.memeNumber)
    }

    /// Appends the record value of `event`.
    static func appendValue(of event: PendingEvent, to bytes: inout [UInt8]) {
        let start = bytes.count
        let defect = event.defect
        if defect == .notAnObject { bytes.append(UInt8(ascii: "[")) }
        bytes.append(UInt8(ascii: "{"))
        var needsComma = false

        appendMemeID(of: event, to: &bytes, needsComma: &needsComma)
        appendType(of: event, to: &bytes, needsComma: &needsComma)
        appendTimestamp(of: event, to: &bytes, needsComma: &needsComma)

        if defect == .emptyUserID {
            appendMemberName("user_id", to: &bytes, needsComma: &needsComma)
            bytes.appendText("\"\"")
        } else if event.userNumber >= 0 {
            appendMemberName("user_id", to: &bytes, needsComma: &needsComma)
            bytes.appendText("\"u")
            bytes.appendDecimal(event.userNumber)
            bytes.append(UInt8(ascii: "\""))
        }

        if defect == .publishedAtInSeconds {
            appendMemberName("published_at", to: &bytes, needsComma: &needsComma)
            let published = event.publishedAtMilliseconds >= 0 ? event.publishedAtMilliseconds : event.eventMilliseconds
            bytes.appendDecimal(published / 1_000)
        } else if event.publishedAtMilliseconds >= 0 {
            appendMemberName("published_at", to: &bytes, needsComma: &needsComma)
            appendTimeValue(event.publishedAtMilliseconds, form: event.timestampForm, to: &bytes)
        }

        appendDwell(of: event, to: &bytes, needsComma: &needsComma)

        if defect == .oversized {
            appendMemberName("padding", to: &bytes, needsComma: &needsComma)
            bytes.append(UInt8(ascii: "\""))
            let paddingLength = max(0, oversizedValueBytes - (bytes.count - start) - 2)
            bytes.append(contentsOf: repeatElement(UInt8(ascii: "x"), count: paddingLength))
            bytes.append(UInt8(ascii: "\""))
        }

        switch defect {
        case .trailingComma:
            bytes.appendText(",}")
        case .truncated:
            // Drop the closing brace and the last 4 bytes, as a client cut off mid-write would.
            bytes.removeLast(min(4, bytes.count - start - 1))
        case .notAnObject:
            bytes.appendText("}]")
        default:
            bytes.append(UInt8(ascii: "}"))
        }
    }

    @inline(__always)
    private static func appendMemberName(_ name: StaticString, to bytes: inout [UInt8], needsComma: inout Bool) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
        bytes.append(UInt8(ascii: "\""))
        bytes.appendText(name)
        bytes.appendText("\":")
    }

    private static func appendMemeID(of event: PendingEvent, to bytes: inout [UInt8], needsComma: inout Bool) {
        switch event.defect {
        case .missingMemeID:
            return
        case .emptyMemeID:
            appendMemberName("meme_id", to: &bytes, needsComma: &needsComma)
            bytes.appendText("\"\"")
        case .numericMemeID:
            appendMemberName("meme_id", to: &bytes, needsComma: &needsComma)
            bytes.appendDecimal(event.memeNumber)
        case .overlongMemeID:
            appendMemberName("meme_id", to: &bytes, needsComma: &needsComma)
            bytes.appendText("\"m")
            let idStart = bytes.count - 1
            bytes.appendDecimal(event.memeNumber)
            bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: 129 - (bytes.count - idStart)))
            bytes.append(UInt8(ascii: "\""))
        case .invalidUTF8:
            appendMemberName("meme_id", to: &bytes, needsComma: &needsComma)
            bytes.appendText("\"m")
            bytes.appendDecimal(event.memeNumber)
            bytes.append(contentsOf: [0xC3, 0x28, UInt8(ascii: "\"")])
        default:
            appendMemberName("meme_id", to: &bytes, needsComma: &needsComma)
            bytes.appendText("\"m")
            bytes.appendDecimal(event.memeNumber)
            bytes.append(UInt8(ascii: "\""))
        }
    }

    private static func appendType(of event: PendingEvent, to bytes: inout [UInt8], needsComma: inout Bool) {
        appendMemberName("type", to: &bytes, needsComma: &needsComma)
        switch event.defect {
        case .nullType:
            bytes.appendText("null")
        case .uppercaseType:
            bytes.append(UInt8(ascii: "\""))
            let typeStart = bytes.count
            bytes.appendText(event.type.name)
            bytes[typeStart] -= 0x20
            bytes.append(UInt8(ascii: "\""))
        case .duplicateMember:
            bytes.append(UInt8(ascii: "\""))
            bytes.appendText(event.type.name)
            bytes.appendText("\",\"type\":\"like\"")
        default:
            bytes.append(UInt8(ascii: "\""))
            bytes.appendText(event.type.name)
            bytes.append(UInt8(ascii: "\""))
        }
    }

    private static func appendTimestamp(of event: PendingEvent, to bytes: inout [UInt8], needsComma: inout Bool) {
        let time = event.eventMilliseconds
        switch event.defect {
        case .missingTimestamp:
            return
        case .timestampInSeconds:
            appendMemberName("ts", to: &bytes, needsComma: &needsComma)
            bytes.appendDecimal(time / 1_000)
        case .timestampInMicroseconds:
            appendMemberName("ts", to: &bytes, needsComma: &needsComma)
            bytes.appendDecimal(time * 1_000 + 417)
        case .timestampWithoutZone:
            appendMemberName("ts", to: &bytes, needsComma: &needsComma)
            bytes.append(UInt8(ascii: "\""))
            RFC3339Format.append(time, offsetMinutes: 0, to: &bytes)
            bytes.removeLast()  // the "Z"
            bytes.append(UInt8(ascii: "\""))
        case .fractionalTimestamp:
            appendMemberName("ts", to: &bytes, needsComma: &needsComma)
            bytes.appendDecimal(time)
            bytes.appendText(".5")
        default:
            appendMemberName("ts", to: &bytes, needsComma: &needsComma)
            appendTimeValue(time, form: event.timestampForm, to: &bytes)
        }
    }

    private static func appendTimeValue(_ time: Int64, form: PendingEvent.TimestampForm, to bytes: inout [UInt8]) {
        switch form {
        case .integer:
            bytes.appendDecimal(time)
        case .textUTC:
            bytes.append(UInt8(ascii: "\""))
            RFC3339Format.append(time, offsetMinutes: 0, to: &bytes)
            bytes.append(UInt8(ascii: "\""))
        case .textWithOffset:
            bytes.append(UInt8(ascii: "\""))
            RFC3339Format.append(time, offsetMinutes: textOffsetMinutes, to: &bytes)
            bytes.append(UInt8(ascii: "\""))
        }
    }

    private static func appendDwell(of event: PendingEvent, to bytes: inout [UInt8], needsComma: inout Bool) {
        let dwell = max(event.dwellMilliseconds, 1_000)
        switch event.defect {
        case .negativeDwell:
            appendMemberName("dwell_ms", to: &bytes, needsComma: &needsComma)
            bytes.appendDecimal(-dwell)
        case .fractionalDwell:
            appendMemberName("dwell_ms", to: &bytes, needsComma: &needsComma)
            bytes.appendDecimal(dwell)
            bytes.appendText(".25")
        case .notANumber:
            appendMemberName("dwell_ms", to: &bytes, needsComma: &needsComma)
            bytes.appendText("NaN")
        default:
            if event.dwellMilliseconds >= 0 {
                appendMemberName("dwell_ms", to: &bytes, needsComma: &needsComma)
                bytes.appendDecimal(event.dwellMilliseconds)
            }
        }
    }
}
