/// The names of the unknown members of one event object seen so far, for duplicate detection.
///
/// Names are compared after unescaping. The first eight live in inline storage and are found by
/// hash and then byte comparison, so common events never allocate. From the ninth name on, all
/// names move to a set of decoded byte arrays, which keeps an object with thousands of members
/// linear.
struct UnknownMemberNames {
    private struct Entry {
        var hash: UInt64
        var name: JSONStringToken
    }

    private static let inlineCapacity = 8
    private var inline = InlineArray<8, Entry>(
        repeating: Entry(hash: 0, name: JSONStringToken(start: 0, end: 0, hasEscapes: false, decodedCount: 0))
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

        let hash = Self.hash(name, scanner: scanner)
        for index in 0..<inlineCount {
            let entry = inline[index]
            if entry.hash == hash && Self.namesEqual(entry.name, name, scanner: scanner) {
                return false
            }
        }
        if inlineCount < Self.inlineCapacity {
            inline[inlineCount] = Entry(hash: hash, name: name)
            inlineCount += 1
            return true
        }

        // The inline storage is full and the name is new: move every name to the set.
        var names = Set<[UInt8]>(minimumCapacity: 2 * Self.inlineCapacity)
        for index in 0..<inlineCount {
            names.insert(scanner.withDecodedBytes(inline[index].name) { Array($0) })
        }
        names.insert(scanner.withDecodedBytes(name) { Array($0) })
        spilled = names
        return true
    }

    /// Returns the 64-bit FNV-1a hash of a name's decoded bytes.
    private static func hash(_ name: JSONStringToken, scanner: JSONScanner) -> UInt64 {
        scanner.withDecodedBytes(name) { bytes in
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325
            for byte in bytes {
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            }
            return hash
        }
    }

    private static func namesEqual(_ first: JSONStringToken, _ second: JSONStringToken, scanner: JSONScanner) -> Bool {
        guard first.decodedCount == second.decodedCount else {
            return false
        }
        return scanner.withDecodedBytes(first) { firstBytes in
            scanner.withDecodedBytes(second) { secondBytes in
                firstBytes.elementsEqual(secondBytes)
            }
        }
    }
}
