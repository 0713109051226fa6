#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The names of the unknown members of one event object seen so far, for duplicate detection.
///
/// Names are compared after unescaping. The first eight live in inline storage and are compared
/// by length and then bytes, so common events never allocate. From the ninth name on, all
/// names move to a set of decoded byte arrays, which keeps an object with thousands of members
/// linear.
struct UnknownMemberNames {
    private static let inlineCapacity = 8
    // NOTE: InlineArray needs Swift 6.2; on Apple platforms it also needs macOS 26 or later.
    private var inline = InlineArray<8, JSONStringToken>(
        repeating: JSONStringToken(start: 0, end: 0, hasEscapes: false, decodedCount: 0)
    )
    private var inlineCount = 0
    private var spilled: Set<[UInt8]>?

    /// Adds a name and returns `false` when an equal name was already present.
    ///
    /// - Complexity: O(k) for the k-th of the first eight names, amortized O(1) after them, plus
    ///   the length of the name.
    mutating func insert(_ name: JSONStringToken, from scanner: JSONScanner) -> Bool {
        if spilled != nil {
            return spilled!.insert(scanner.withDecodedBytes(name) { Array($0) }).inserted
        }

        for index in 0..<inlineCount where Self.namesEqual(inline[index], name, scanner: scanner) {
            return false
        }
        if inlineCount < Self.inlineCapacity {
            inline[inlineCount] = name
            inlineCount += 1
            return true
        }

        // The inline storage is full and the name is new: move every name to the set.
        var names = Set<[UInt8]>(minimumCapacity: 2 * Self.inlineCapacity)
        for index in 0..<inlineCount {
            names.insert(scanner.withDecodedBytes(inline[index]) { Array($0) })
        }
        names.insert(scanner.withDecodedBytes(name) { Array($0) })
        spilled = names
        return true
    }

    private static func namesEqual(_ first: JSONStringToken, _ second: JSONStringToken, scanner: JSONScanner) -> Bool {
        guard first.decodedCount == second.decodedCount else {
            return false
        }
        if !first.hasEscapes && !second.hasEscapes {
            return memcmp(scanner.base + first.start, scanner.base + second.start, first.decodedCount) == 0
        }
        return scanner.withDecodedBytes(first) { firstBytes in
            scanner.withDecodedBytes(second) { secondBytes in
                firstBytes.elementsEqual(secondBytes)
            }
        }
    }
}
