/// Tells, byte by byte through a valid JSON document, whether a byte belongs to a string literal.
///
/// Checks that look only at structure (brackets, numbers) use it to skip strings without a full
/// scan. Complexity: O(1) per byte. Thread-safety: a value type; one walk per instance.
struct JSONStringTracker {
    private var isInString = false
    private var isEscaped = false

    /// Feeds the next byte and returns `true` when it belongs to a string literal, its two quotes
    /// included.
    mutating func isInString(_ byte: UInt8) -> Bool {
        if isInString {
            if isEscaped {
                isEscaped = false
            } else if byte == UInt8(ascii: "\\") {
                isEscaped = true
            } else if byte == UInt8(ascii: "\"") {
                isInString = false
            }
            return true
        }
        if byte == UInt8(ascii: "\"") {
            isInString = true
            return true
        }
        return false
    }
}
