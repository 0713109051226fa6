#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the `meme_id` of an event value without decoding it, for hints that may be wrong.
///
/// The engine uses it to start loading a key's state a few records before it decodes the
/// record. The result is never validated: a value that is not JSON, or names `meme_id` inside
/// another string, can give bytes that are not its key. Callers use it only where a wrong key
/// costs time and nothing else.
public enum MemeIDPeek {
    /// Returns the bytes between the quotes of the first `"meme_id"` member name's string value,
    /// or `nil` when there is none in plain form (no escape in the value, at most 255 bytes).
    /// - Complexity: O(bytes up to the member), O(1) when the value starts with it.
    public static func memeID(in value: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard let base = value.baseAddress else { return nil }
        let count = value.count
        // `"meme_id"` as eight little-endian bytes after the opening quote.
        let name: UInt64 = 0x2264_695F_656D_656D
        var position = 0
        // Each pass moves past one quote, so at most `count` passes.
        while position < count {
            guard let quote = memchr(base + position, 0x22, count - position) else { return nil }
            position = base.distance(to: UnsafeRawPointer(quote)) + 1
            guard position + 8 <= count else { return nil }
            guard value.loadUnaligned(fromByteOffset: position, as: UInt64.self) == UInt64(littleEndian: name) else {
                continue
            }
            var index = position + 8
            while index < count, value[index] == 0x20 || value[index] == 0x3A || value[index] == 0x09 { index += 1 }
            guard index < count, value[index] == 0x22 else { return nil }
            let start = index + 1
            let searched = min(count - start, 256)
            guard searched > 0, let end = memchr(base + start, 0x22, searched) else { return nil }
            let length = (base + start).distance(to: UnsafeRawPointer(end))
            let key = UnsafeRawBufferPointer(start: base + start, count: length)
            guard length > 0, length <= 255, !key.contains(0x5C) else { return nil }
            return key
        }
        return nil
    }
}
