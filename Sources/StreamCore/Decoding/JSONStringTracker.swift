/// A tracker of which bytes of a valid JSON document belong to a string literal, fed one byte at
/// a time.
///
/// Checks that look only at structure (brackets, numbers) use it to skip strings without a full
/// scan. Complexity: O(1) per byte. Thread-safety: a value type, so each walk has its own.
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
