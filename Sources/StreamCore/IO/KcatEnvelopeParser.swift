/// A hand-written parser of `kcat -J` envelope lines (see ``KcatEnvelope``).
///
/// The line must be one JSON object, with whitespace allowed around tokens. The members
/// `partition`, `offset` and `payload` are required. `partition` is an integer in 0...2^31−1,
/// `offset` an integer ≥ 0 and `ts` an integer ≥ 0 or −1 (no timestamp). `key` and `payload`
/// are strings or null. Other members (`topic`, `tstype`, `broker`, `headers`, ...) are checked for JSON syntax
/// and ignored. A member name given twice is an error.
///
/// Thread-safety: not thread-safe; the parser owns the scratch buffers the envelopes borrow.
public final class KcatEnvelopeParser {
    private var keyScratch: ScratchBuffer
    private var payloadScratch: ScratchBuffer
    private var line = UnsafeRawBufferPointer(start: nil, count: 0)
    private var position = 0

    /// Nesting limit for ignored members' values.
    static let maximumDepth = 64

    public init() {
        keyScratch = ScratchBuffer(capacity: 256)
        payloadScratch = ScratchBuffer(capacity: 4096)
    }

    deinit {
        keyScratch.deallocate()
        payloadScratch.deallocate()
    }

    /// Parses one envelope line.
    ///
    /// - Returns: the envelope; its key and payload stay valid until the next call.
    /// - Throws: ``KcatEnvelopeError`` naming what is wrong and the column.
    /// - Complexity: O(line length); allocates only when a key or payload is longer than any before.
    public func parse(_ bytes: UnsafeRawBufferPointer) throws(KcatEnvelopeError) -> KcatEnvelope {
        line = bytes
        position = 0
        var partition: Int64?
        var offset: Int64?
        var timestamp: Int64?
        var hasTimestamp = false
        var hasKey = false
        var key: UnsafeRawBufferPointer?
        var hasPayload = false
        var payload: UnsafeRawBufferPointer?
        // Other member names seen, for duplicates. A kcat envelope has about four (topic, tstype,
        // broker, headers), so a list is searched. From the ninth on, a set keeps a line of
        // thousands of members linear.
        var seenOther: [[UInt8]] = []
        var seenOtherSet: Set<[UInt8]>?

        skipWhitespace()
        try expect(0x7B, "expected '{' to start the envelope object")
        skipWhitespace()
        if peek() == 0x7D {
            position += 1
        } else {
            // One pass per member; a line of n bytes contains fewer than n members.
            var members = 0
            while members <= line.count {
                members += 1
                skipWhitespace()
                let nameColumn = position + 1
                let name = try readMemberName()
                skipWhitespace()
                try expect(0x3A, "expected ':' after a member name")
                skipWhitespace()
                switch name {
                case .partition:
                    if partition != nil { throw duplicate("partition", nameColumn) }
                    partition = try readInteger(member: "partition", range: 0...Int64(Int32.max))
                case .offset:
                    if offset != nil { throw duplicate("offset", nameColumn) }
                    // The next offset (offset + 1) must be representable too.
                    offset = try readInteger(member: "offset", range: 0...(Int64.max - 1))
                case .ts:
                    if hasTimestamp { throw duplicate("ts", nameColumn) }
                    hasTimestamp = true
                    let value = try readInteger(member: "ts", range: -1...Int64.max)
                    timestamp = value == -1 ? nil : value
                case .key:
                    if hasKey { throw duplicate("key", nameColumn) }
                    hasKey = true
                    key = try readNullableString(member: "key", into: &keyScratch)
                case .payload:
                    if hasPayload { throw duplicate("payload", nameColumn) }
                    hasPayload = true
                    payload = try readNullableString(member: "payload", into: &payloadScratch)
                case .other(let bytes):
                    let isNew: Bool
                    if seenOtherSet == nil, seenOther.count < 8 {
                        isNew = !seenOther.contains(bytes)
                        seenOther.append(bytes)
                    } else {
                        if seenOtherSet == nil { seenOtherSet = Set(seenOther) }
                        isNew = seenOtherSet!.insert(bytes).inserted
                    }
                    if !isNew {
                        throw duplicate(String(decoding: bytes, as: UTF8.self), nameColumn)
                    }
                    try skipValue(depth: 0)
                }
                skipWhitespace()
                if peek() == 0x2C {
                    position += 1
                    continue
                }
                try expect(0x7D, "expected ',' or '}' after a member value")
                break
            }
        }
        skipWhitespace()
        if position < line.count {
            throw error("unexpected bytes after the envelope object")
        }
        guard let partition else { throw KcatEnvelopeError(reason: "missing member \"partition\"", column: 1) }
        guard let offset else { throw KcatEnvelopeError(reason: "missing member \"offset\"", column: 1) }
        guard hasPayload else { throw KcatEnvelopeError(reason: "missing member \"payload\"", column: 1) }
        return KcatEnvelope(
            partition: Int32(partition),
            offset: offset,
            timestamp: timestamp,
            key: key,
            payload: payload
        )
    }

    // MARK: - Members

    private enum MemberName {
        case partition, offset, ts, key, payload
        case other([UInt8])
    }

    private func readMemberName() throws(KcatEnvelopeError) -> MemberName {
        guard peek() == 0x22 else { throw error("expected a member name in double quotes") }
        position += 1
        let nameStart = position
        // Fast path: names without escapes are compared in place.
        while position < line.count {
            let byte = line[position]
            if byte == 0x22 {
                let name = UnsafeRawBufferPointer(rebasing: line[nameStart..<position])
                position += 1
                return classify(name)
            }
            if byte == 0x5C { break }
            if byte < 0x20 { throw error("control character in a member name") }
            position += 1
        }
        position = nameStart - 1
        var scratch = ScratchBuffer(capacity: 64)
        defer { scratch.deallocate() }
        let name = try readString(into: &scratch)
        return classify(name)
    }

    private func classify(_ name: UnsafeRawBufferPointer) -> MemberName {
        if name.elementsEqual("partition".utf8) { return .partition }
        if name.elementsEqual("offset".utf8) { return .offset }
        if name.elementsEqual("ts".utf8) { return .ts }
        if name.elementsEqual("key".utf8) { return .key }
        if name.elementsEqual("payload".utf8) { return .payload }
        return .other(Array(name))
    }

    private func duplicate(_ name: String, _ column: Int) -> KcatEnvelopeError {
        KcatEnvelopeError(reason: "member \"\(name)\" appears twice", column: column)
    }

    // MARK: - Values

    private func readInteger(member: String, range: ClosedRange<Int64>) throws(KcatEnvelopeError) -> Int64 {
        let column = position + 1
        var negative = false
        if peek() == 0x2D {
            negative = true
            position += 1
        }
        var magnitude: UInt64 = 0
        var digits = 0
        while position < line.count {
            let byte = line[position]
            guard byte >= 0x30 && byte <= 0x39 else { break }
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - 0x30))
            if overflow1 || overflow2 {
                throw KcatEnvelopeError(reason: "\"\(member)\" is out of range", column: column)
            }
            magnitude = sum
            digits += 1
            position += 1
        }
        if digits == 0 {
            throw KcatEnvelopeError(reason: "\"\(member)\" must be an integer", column: column)
        }
        if let next = peek(), next == 0x2E || next == 0x65 || next == 0x45 {
            throw KcatEnvelopeError(
                reason: "\"\(member)\" must be an integer, not a fraction or exponent",
                column: column
            )
        }
        let limit: UInt64 = negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
        guard magnitude <= limit else {
            throw KcatEnvelopeError(reason: "\"\(member)\" is out of range", column: column)
        }
        let value = negative ? Int64(truncatingIfNeeded: 0 &- magnitude) : Int64(magnitude)
        guard range.contains(value) else {
            throw KcatEnvelopeError(
                reason: "\"\(member)\" is \(value), outside \(range.lowerBound)...\(range.upperBound)",
                column: column
            )
        }
        return value
    }

    private func readNullableString(
        member: String,
        into scratch: inout ScratchBuffer
    ) throws(KcatEnvelopeError) -> UnsafeRawBufferPointer? {
        if matchLiteral("null") { return nil }
        guard peek() == 0x22 else {
            throw error("\"\(member)\" must be a string or null")
        }
        return try readString(into: &scratch)
    }

    /// Reads a JSON string at `position` and returns its unescaped UTF-8 bytes in `scratch`.
    private func readString(into scratch: inout ScratchBuffer) throws(KcatEnvelopeError) -> UnsafeRawBufferPointer {
        position += 1  // the opening quote
        scratch.count = 0
        scratch.reserve(line.count - position)
        var runStart = position
        while position < line.count {
            let byte = line[position]
            if byte == 0x22 {
                scratch.append(UnsafeRawBufferPointer(rebasing: line[runStart..<position]))
                position += 1
                return scratch.bytes
            }
            if byte == 0x5C {
                scratch.append(UnsafeRawBufferPointer(rebasing: line[runStart..<position]))
                try readEscape(into: &scratch)
                runStart = position
                continue
            }
            if byte < 0x20 { throw error("control character in a string; it must be escaped") }
            position += 1
        }
        throw error("unterminated string")
    }

    /// Reads one escape sequence starting at the backslash and appends its UTF-8 bytes.
    private func readEscape(into scratch: inout ScratchBuffer) throws(KcatEnvelopeError) {
        let column = position + 1
        position += 1
        guard position < line.count else { throw error("unterminated escape sequence") }
        let letter = line[position]
        position += 1
        switch letter {
        case 0x22, 0x5C, 0x2F: scratch.append(byte: letter)
        case 0x62: scratch.append(byte: 0x08)
        case 0x66: scratch.append(byte: 0x0C)
        case 0x6E: scratch.append(byte: 0x0A)
        case 0x72: scratch.append(byte: 0x0D)
        case 0x74: scratch.append(byte: 0x09)
        case 0x75:
            var scalar = try readHex4()
            if scalar >= 0xD800 && scalar < 0xDC00 {
                // A high surrogate must be followed by an escaped low surrogate.
                guard position + 1 < line.count, line[position] == 0x5C, line[position + 1] == 0x75 else {
                    throw KcatEnvelopeError(reason: "unpaired UTF-16 surrogate in \\u escape", column: column)
                }
                position += 2
                let low = try readHex4()
                guard low >= 0xDC00 && low < 0xE000 else {
                    throw KcatEnvelopeError(reason: "unpaired UTF-16 surrogate in \\u escape", column: column)
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if scalar >= 0xDC00 && scalar < 0xE000 {
                throw KcatEnvelopeError(reason: "unpaired UTF-16 surrogate in \\u escape", column: column)
            }
            scratch.appendUTF8(scalar: scalar)
        default:
            throw KcatEnvelopeError(reason: "invalid escape sequence", column: column)
        }
    }

    private func readHex4() throws(KcatEnvelopeError) -> UInt32 {
        guard position + 4 <= line.count else { throw error("\\u escape needs four hex digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = line[position]
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x46: digit = byte - 0x41 + 10
            case 0x61...0x66: digit = byte - 0x61 + 10
            default: throw error("\\u escape needs four hex digits")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    /// Skips one JSON value of an ignored member, checking its syntax.
    private func skipValue(depth: Int) throws(KcatEnvelopeError) {
        guard depth < KcatEnvelopeParser.maximumDepth else { throw error("values nested too deeply") }
        guard let byte = peek() else { throw error("expected a value") }
        switch byte {
        case 0x22:
            var scratch = ScratchBuffer(capacity: 64)
            defer { scratch.deallocate() }
            _ = try readString(into: &scratch)
        case 0x7B, 0x5B:
            let closing: UInt8 = byte == 0x7B ? 0x7D : 0x5D
            position += 1
            skipWhitespace()
            if peek() == closing {
                position += 1
                return
            }
            var items = 0
            while items <= line.count {
                items += 1
                skipWhitespace()
                if closing == 0x7D {
                    guard peek() == 0x22 else { throw error("expected a member name in double quotes") }
                    var scratch = ScratchBuffer(capacity: 64)
                    defer { scratch.deallocate() }
                    _ = try readString(into: &scratch)
                    skipWhitespace()
                    try expect(0x3A, "expected ':' after a member name")
                    skipWhitespace()
                }
                try skipValue(depth: depth + 1)
                skipWhitespace()
                if peek() == 0x2C {
                    position += 1
                    continue
                }
                try expect(closing, closing == 0x7D ? "expected ',' or '}'" : "expected ',' or ']'")
                return
            }
        case 0x74:
            if !matchLiteral("true") { throw error("invalid literal") }
        case 0x66:
            if !matchLiteral("false") { throw error("invalid literal") }
        case 0x6E:
            if !matchLiteral("null") { throw error("invalid literal") }
        case 0x2D, 0x30...0x39:
            try skipNumber()
        default:
            throw error("expected a value")
        }
    }

    private func skipNumber() throws(KcatEnvelopeError) {
        if peek() == 0x2D { position += 1 }
        var digits = 0
        // Accepts digits, one fraction and one exponent; the shape is checked loosely because
        // the value is ignored.
        while let byte = peek() {
            if (byte >= 0x30 && byte <= 0x39) || byte == 0x2E || byte == 0x65 || byte == 0x45 || byte == 0x2B
                || byte == 0x2D
            {
                digits += 1
                position += 1
            } else {
                break
            }
        }
        if digits == 0 { throw error("invalid number") }
    }

    // MARK: - Bytes

    private func peek() -> UInt8? {
        position < line.count ? line[position] : nil
    }

    private func skipWhitespace() {
        while position < line.count {
            let byte = line[position]
            guard byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D else { return }
            position += 1
        }
    }

    private func expect(_ byte: UInt8, _ message: String) throws(KcatEnvelopeError) {
        guard peek() == byte else { throw error(message) }
        position += 1
    }

    private func matchLiteral(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard position + count <= line.count else { return false }
        let text = UnsafeRawBufferPointer(start: literal.utf8Start, count: count)
        guard UnsafeRawBufferPointer(rebasing: line[position..<position + count]).elementsEqual(text) else {
            return false
        }
        position += count
        return true
    }

    private func error(_ reason: String) -> KcatEnvelopeError {
        KcatEnvelopeError(reason: reason, column: position + 1)
    }
}

/// A growable byte buffer that parsed strings are unescaped into; freed by its owner.
struct ScratchBuffer {
    private(set) var storage: UnsafeMutableRawPointer
    private(set) var capacity: Int
    var count = 0

    init(capacity: Int) {
        self.capacity = max(16, capacity)
        self.storage = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 8)
    }

    func deallocate() {
        storage.deallocate()
    }

    var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage, count: count)
    }

    /// Makes room for `additional` more bytes after `count`.
    mutating func reserve(_ additional: Int) {
        guard count + additional > capacity else { return }
        let newCapacity = max(capacity * 2, count + additional)
        let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 8)
        grown.copyMemory(from: storage, byteCount: count)
        storage.deallocate()
        storage = grown
        capacity = newCapacity
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        reserve(bytes.count)
        (storage + count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        count += bytes.count
    }

    mutating func append(byte: UInt8) {
        reserve(1)
        storage.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    /// Appends the UTF-8 encoding of a Unicode scalar value (below 0x110000, not a surrogate).
    mutating func appendUTF8(scalar: UInt32) {
        if scalar < 0x80 {
            append(byte: UInt8(scalar))
        } else if scalar < 0x800 {
            append(byte: UInt8(0xC0 | (scalar >> 6)))
            append(byte: UInt8(0x80 | (scalar & 0x3F)))
        } else if scalar < 0x10000 {
            append(byte: UInt8(0xE0 | (scalar >> 12)))
            append(byte: UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            append(byte: UInt8(0x80 | (scalar & 0x3F)))
        } else {
            append(byte: UInt8(0xF0 | (scalar >> 18)))
            append(byte: UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            append(byte: UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            append(byte: UInt8(0x80 | (scalar & 0x3F)))
        }
    }
}
