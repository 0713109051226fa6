/// Renders bad values for rejection details: the value's JSON text as it appears in the record,
/// cut to ``maxShownBytes`` on a character boundary.
///
/// Valid JSON text contains no raw control characters, so the rendering needs no further
/// escaping. Invalid UTF-8 never reaches here, because such values are rejected as malformed
/// before the field rules run.
enum RejectionDetail {
    /// The maximum number of bytes of a value shown in a detail.
    static let maxShownBytes = 64

    /// Renders the JSON text of a value, truncated.
    static func raw(_ scanner: JSONScanner, _ token: JSONValueToken) -> String {
        text(scanner, from: token.start, to: token.end)
    }

    /// Renders the JSON text of a string value including its quotes, truncated inside the quotes.
    static func quoted(_ scanner: JSONScanner, _ token: JSONValueToken) -> String {
        quoted(scanner, from: token.start, to: token.end)
    }

    /// Renders the JSON text between `start` (an opening quote) and `end` (one past the closing quote),
    /// truncated inside the quotes.
    static func quoted(_ scanner: JSONScanner, from start: Int, to end: Int) -> String {
        let contentLength = end - start - 2
        if contentLength <= maxShownBytes {
            return text(scanner, from: start, to: end)
        }
        return "\"" + text(scanner, from: start + 1, to: end - 1) + "\""
    }

    /// Renders the bytes in `start..<end` as text, and when longer than ``maxShownBytes``, the first
    /// characters up to that many bytes followed by `...(N bytes)`.
    static func text(_ scanner: JSONScanner, from start: Int, to end: Int) -> String {
        let length = end - start
        var shownEnd = end
        if length > maxShownBytes {
            shownEnd = start + maxShownBytes
            // Back up over continuation bytes so a multi-byte character is never split.
            while shownEnd > start && scanner.byte(at: shownEnd) & 0xC0 == 0x80 {
                shownEnd -= 1
            }
        }
        let pointer = (scanner.base + start).assumingMemoryBound(to: UInt8.self)
        var result = String(decoding: UnsafeBufferPointer(start: pointer, count: shownEnd - start), as: UTF8.self)
        if shownEnd < end {
            result += "...(\(length) bytes)"
        }
        return result
    }

    /// Makes an `invalid_field` rejection for a value of the wrong JSON type.
    static func wrongType(
        _ field: EventField,
        _ token: JSONValueToken,
        expected: String,
        scanner: JSONScanner
    ) -> Rejection {
        Rejection(
            reason: .invalidField,
            detail: "field '\(field.jsonName)' is \(token.kind.article) \(raw(scanner, token)); expected \(expected)"
        )
    }
}
