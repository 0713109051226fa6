/// A strict RFC 8259 scanner over borrowed bytes.
///
/// The scanner validates as it moves and never copies the input. It reports where a value starts
/// and ends, so the caller decodes only the values it needs. Nested containers are skipped with an
/// explicit stack on the heap instead of recursion, so a deeply nested input cannot overflow the
/// thread's stack.
///
/// Whitespace is the four bytes RFC 8259 allows (space, tab, line feed, carriage return). A byte
/// order mark is not whitespace, so an input that starts with one is malformed.
///
/// Thread-safety: a value type over a borrowed pointer; use one scanner per thread, and only
/// while the buffer it reads is alive.
struct JSONScanner {
    /// The first byte of the input.
    let base: UnsafeRawPointer
    /// The number of input bytes.
    let count: Int
    /// The offset of the next byte to read.
    var position: Int = 0

    /// Creates a scanner over `count` bytes at `base`; `count` must not exceed `Int32.max`,
    /// because tokens store offsets in 32 bits.
    init(base: UnsafeRawPointer, count: Int) {
        precondition(count <= Int(Int32.max), "JSONScanner input of \(count) bytes exceeds Int32.max")
        self.base = base
        self.count = count
    }

    /// The byte at `offset`, which must be in `0..<count`.
    @inline(__always)
    func byte(at offset: Int) -> UInt8 {
        base.load(fromByteOffset: offset, as: UInt8.self)
    }

    /// Returns the byte at ``position``, or 0 at the end of the input. A NUL byte is never valid
    /// outside a string, so 0 works as an end marker wherever the caller expects a structural byte.
    @inline(__always)
    func peekByte() -> UInt8 {
        position < count ? byte(at: position) : 0
    }

    /// `true` when the input starts with the UTF-8 byte order mark EF BB BF, for a clearer error.
    var startsWithByteOrderMark: Bool {
        count >= 3 && byte(at: 0) == 0xEF && byte(at: 1) == 0xBB && byte(at: 2) == 0xBF
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < count {
            let current = byte(at: position)
            guard
                current == JSONByte.space || current == JSONByte.lineFeed || current == JSONByte.carriageReturn
                    || current == JSONByte.tab
            else {
                return
            }
            position += 1
        }
    }

    /// Consumes `expected` at ``position`` or throws, naming what the input has there instead.
    @inline(__always)
    mutating func expect(_ expected: UInt8, _ description: String) throws(MalformedJSON) {
        guard peekByte() == expected else {
            throw unexpectedByte(expecting: description)
        }
        position += 1
    }

    /// Makes an error for the byte at ``position``: "expected X, found Y".
    func unexpectedByte(expecting description: String) -> MalformedJSON {
        let found: String
        if position >= count {
            found = "the end of the input"
        } else {
            found = MalformedJSON.describe(byte: byte(at: position))
        }
        return MalformedJSON(offset: position, message: "expected \(description), found \(found)")
    }

    // MARK: - Values

    /// Scans one value of any kind starting at ``position`` (no leading whitespace) and leaves
    /// ``position`` one past its last byte.
    ///
    /// - Complexity: O(n) in the bytes of the value, and O(d / 64) words of heap for a value
    ///   nested d levels deep.
    mutating func scanValue() throws(MalformedJSON) -> JSONValueToken {
        let start = position
        switch peekByte() {
        case JSONByte.quote:
            let string = try scanString()
            return JSONValueToken(kind: .string, start: start, end: position, string: string)
        case JSONByte.minus, JSONByte.digitZero...JSONByte.digitNine:
            let number = try scanNumber()
            return JSONValueToken(kind: .number, start: start, end: position, number: number)
        case JSONByte.openBrace, JSONByte.openBracket:
            let kind: JSONValueKind = peekByte() == JSONByte.openBrace ? .object : .array
            try skipContainer()
            return JSONValueToken(kind: kind, start: start, end: position)
        case JSONByte.letterT:
            try expectLiteral("true")
            return JSONValueToken(kind: .boolean, start: start, end: position)
        case JSONByte.letterF:
            try expectLiteral("false")
            return JSONValueToken(kind: .boolean, start: start, end: position)
        case JSONByte.letterN:
            try expectLiteral("null")
            return JSONValueToken(kind: .null, start: start, end: position)
        default:
            throw unexpectedByte(expecting: "a JSON value")
        }
    }

    /// Validates one value of any kind starting at ``position`` and moves past it, without
    /// reporting what it holds.
    mutating func skipValue() throws(MalformedJSON) {
        let first = peekByte()
        if first == JSONByte.openBrace || first == JSONByte.openBracket {
            try skipContainer()
        } else {
            try scanScalar()
        }
    }

    /// Scans a string, number or literal; throws on anything else, including a container.
    mutating func scanScalar() throws(MalformedJSON) {
        switch peekByte() {
        case JSONByte.quote: _ = try scanString()
        case JSONByte.minus, JSONByte.digitZero...JSONByte.digitNine: _ = try scanNumber()
        case JSONByte.letterT: try expectLiteral("true")
        case JSONByte.letterF: try expectLiteral("false")
        case JSONByte.letterN: try expectLiteral("null")
        default: throw unexpectedByte(expecting: "a JSON value")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(MalformedJSON) {
        let length = literal.utf8CodeUnitCount
        let text = literal.utf8Start
        guard count - position >= length else {
            throw MalformedJSON(offset: position, message: "expected '\(literal)', found a truncated literal")
        }
        for index in 0..<length where byte(at: position + index) != text[index] {
            position += index
            throw unexpectedByte(expecting: "the rest of '\(literal)'")
        }
        position += length
    }

    /// Skips an array or object starting at ``position`` and validates everything inside it.
    ///
    /// Member names of nested objects are validated as strings but not compared with each other:
    /// duplicate detection applies to the top-level object only.
    mutating func skipContainer() throws(MalformedJSON) {
        var stack = ContainerStack()
        stack.push(isObject: peekByte() == JSONByte.openBrace)
        position += 1
        var isFirstElement = true

        // Every pass of either loop consumes at least one byte or throws, so neither runs more
        // than `count` times. The explicit budgets only make that visible.
        var outerBudget = count + 1
        while outerBudget > 0 {
            outerBudget -= 1
            skipWhitespace()

            // 1. Close an empty container, or read one element (a name and colon first in an object).
            var closedEmpty = false
            if isFirstElement {
                let closing: UInt8 = stack.topIsObject ? JSONByte.closeBrace : JSONByte.closeBracket
                if peekByte() == closing {
                    position += 1
                    stack.pop()
                    closedEmpty = true
                }
            }
            if !closedEmpty {
                if stack.topIsObject {
                    guard peekByte() == JSONByte.quote else {
                        throw unexpectedByte(expecting: "a member name in double quotes")
                    }
                    _ = try scanString()
                    skipWhitespace()
                    try expect(JSONByte.colon, "':' after a member name")
                    skipWhitespace()
                }
                let opening = peekByte()
                if opening == JSONByte.openBrace || opening == JSONByte.openBracket {
                    stack.push(isObject: opening == JSONByte.openBrace)
                    position += 1
                    isFirstElement = true
                    continue
                }
                try scanScalar()
            }

            // 2. After an element: a comma starts the next one; closing brackets may follow in a row.
            var innerBudget = count + 1
            while innerBudget > 0 {
                innerBudget -= 1
                if stack.depth == 0 {
                    return
                }
                skipWhitespace()
                let next = peekByte()
                if next == JSONByte.comma {
                    position += 1
                    isFirstElement = false
                    break
                }
                let closing: UInt8 = stack.topIsObject ? JSONByte.closeBrace : JSONByte.closeBracket
                guard next == closing else {
                    throw unexpectedByte(expecting: stack.topIsObject ? "',' or '}'" : "',' or ']'")
                }
                position += 1
                stack.pop()
            }
        }
        throw MalformedJSON(offset: position, message: "container scan did not finish")
    }
}

/// The kind of JSON value a ``JSONValueToken`` describes.
enum JSONValueKind: UInt8, Sendable {
    case null
    case boolean
    case number
    case string
    case array
    case object

    /// The kind as error details name it: "a string", "an array", ...
    var article: String {
        switch self {
        case .null: "null"
        case .boolean: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// The location of a scanned value in the input, plus the facts the scanner gathered on the way.
struct JSONValueToken {
    var kind: JSONValueKind
    // The fields below are flattened and 32-bit so a token stays at 32 bytes, because the
    // decoder copies one per known member.
    private var storedStart: Int32
    private var storedEnd: Int32
    private var storedDecodedCount: Int32
    private var hasEscapes: Bool
    private var isInteger: Bool
    private var isNegative: Bool
    private var overflowed: Bool
    private var magnitude: UInt64

    init(
        kind: JSONValueKind,
        start: Int,
        end: Int,
        string: JSONStringToken = JSONStringToken(start: 0, end: 0, hasEscapes: false, decodedCount: 0),
        number: JSONNumberToken = JSONNumberToken(isInteger: true, isNegative: false, magnitude: 0, overflowed: false)
    ) {
        self.kind = kind
        storedStart = Int32(truncatingIfNeeded: start)
        storedEnd = Int32(truncatingIfNeeded: end)
        storedDecodedCount = Int32(truncatingIfNeeded: string.decodedCount)
        hasEscapes = string.hasEscapes
        isInteger = number.isInteger
        isNegative = number.isNegative
        overflowed = number.overflowed
        magnitude = number.magnitude
    }

    /// The offset of the value's first byte (the opening quote for a string).
    var start: Int { Int(storedStart) }
    /// One past the value's last byte (one past the closing quote for a string).
    var end: Int { Int(storedEnd) }

    /// The string's content. Valid when ``kind`` is `.string`.
    var string: JSONStringToken {
        JSONStringToken(start: start + 1, end: end - 1, hasEscapes: hasEscapes, decodedCount: Int(storedDecodedCount))
    }

    /// The number's facts. Valid when ``kind`` is `.number`.
    var number: JSONNumberToken {
        JSONNumberToken(isInteger: isInteger, isNegative: isNegative, magnitude: magnitude, overflowed: overflowed)
    }
}

/// A heap-backed stack of container kinds, one bit per level (1 = object, 0 = array).
///
/// The first 64 levels live in a register-sized word, so common inputs never allocate.
struct ContainerStack {
    private var inline: UInt64 = 0
    private var spill: [UInt64] = []
    private(set) var depth = 0

    mutating func push(isObject: Bool) {
        let word = depth >> 6
        let mask: UInt64 = 1 << UInt64(depth & 63)
        if word == 0 {
            inline = isObject ? inline | mask : inline & ~mask
        } else {
            if spill.count < word {
                spill.append(0)
            }
            spill[word - 1] = isObject ? spill[word - 1] | mask : spill[word - 1] & ~mask
        }
        depth += 1
    }

    mutating func pop() {
        depth -= 1
    }

    /// Whether the innermost open container is an object. The stack must not be empty.
    var topIsObject: Bool {
        let level = depth - 1
        let word = level >> 6
        let mask: UInt64 = 1 << UInt64(level & 63)
        return (word == 0 ? inline : spill[word - 1]) & mask != 0
    }
}

/// A JSON syntax or encoding error: the byte offset and what was wrong there.
struct MalformedJSON: Error {
    /// The offset of the offending byte from the start of the record value.
    var offset: Int
    /// A description of the expected and the found input.
    var message: String

    /// Names one input byte for a message: `'x'` when printable ASCII, otherwise `byte 0xNN`.
    static func describe(byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F {
            return "'" + String(UnicodeScalar(byte)) + "'"
        }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x" + (hex.count == 1 ? "0" + hex : hex)
    }
}

/// ASCII bytes the JSON and RFC 3339 grammars name.
enum JSONByte {
    static let tab: UInt8 = 0x09
    static let lineFeed: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let plus: UInt8 = 0x2B
    static let comma: UInt8 = 0x2C
    static let minus: UInt8 = 0x2D
    static let period: UInt8 = 0x2E
    static let slash: UInt8 = 0x2F
    static let digitZero: UInt8 = 0x30
    static let digitNine: UInt8 = 0x39
    static let colon: UInt8 = 0x3A
    static let letterUpperE: UInt8 = 0x45
    static let letterUpperT: UInt8 = 0x54
    static let letterUpperZ: UInt8 = 0x5A
    static let openBracket: UInt8 = 0x5B
    static let backslash: UInt8 = 0x5C
    static let closeBracket: UInt8 = 0x5D
    static let underscore: UInt8 = 0x5F
    static let letterA: UInt8 = 0x61
    static let letterB: UInt8 = 0x62
    static let letterE: UInt8 = 0x65
    static let letterF: UInt8 = 0x66
    static let letterN: UInt8 = 0x6E
    static let letterR: UInt8 = 0x72
    static let letterT: UInt8 = 0x74
    static let letterU: UInt8 = 0x75
    static let letterZ: UInt8 = 0x7A
    static let openBrace: UInt8 = 0x7B
    static let closeBrace: UInt8 = 0x7D
}
