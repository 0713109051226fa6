/// A JSON syntax error in a whole document, with its position for a person to find it.
public struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The byte offset of the offending byte from the start of the document.
    public var offset: Int
    /// The 1-based line of the offending byte (lines end at line feeds).
    public var line: Int
    /// The 1-based column of the offending byte, in bytes from the start of its line.
    public var column: Int
    /// The expected and the found input, such as `expected ',' or '}', found ']'`.
    public var message: String

    public var description: String {
        "\(message) at line \(line), column \(column)"
    }
}

/// Checks of small, whole JSON documents: configuration files and the first line of an input.
///
/// They run the same strict RFC 8259 scanner as the event decoder, so they accept exactly what
/// the decoder accepts. They copy member names into `String`s, so keep them off per-record paths.
public enum JSONDocumentCheck {
    /// Returns the first syntax error of `bytes` as one JSON document, or `nil` when it is valid.
    ///
    /// Whitespace may surround the value, and anything else after it is an error. An empty
    /// document is an error at line 1, column 1.
    public static func syntaxError(in bytes: UnsafeRawBufferPointer) -> JSONSyntaxError? {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            return JSONSyntaxError(
                offset: 0,
                line: 1,
                column: 1,
                message: "expected a JSON value, found an empty document"
            )
        }
        guard bytes.count <= Int(Int32.max) else {
            return JSONSyntaxError(
                offset: 0,
                line: 1,
                column: 1,
                message: "the document of \(bytes.count) bytes is larger than \(Int32.max) bytes"
            )
        }
        var scanner = JSONScanner(base: base, count: bytes.count)
        do throws(MalformedJSON) {
            scanner.skipWhitespace()
            try scanner.skipValue()
            scanner.skipWhitespace()
            if scanner.position < scanner.count {
                throw scanner.unexpectedByte(expecting: "the end of the document after the first value")
            }
            return nil
        } catch {
            return makeError(error, in: bytes)
        }
    }

    /// Returns the member names of a JSON object, in document order, or `nil` when `bytes` is not
    /// one valid JSON object (surrounding whitespace allowed). Values are validated but not kept.
    public static func topLevelMemberNames(in bytes: UnsafeRawBufferPointer) -> [String]? {
        guard let base = bytes.baseAddress, bytes.count > 0, bytes.count <= Int(Int32.max) else { return nil }
        var scanner = JSONScanner(base: base, count: bytes.count)
        var names: [String] = []
        do {
            scanner.skipWhitespace()
            try scanner.expect(JSONByte.openBrace, "'{'")
            scanner.skipWhitespace()
            if scanner.peekByte() == JSONByte.closeBrace {
                scanner.position += 1
            } else {
                // Each member takes at least four bytes ("":0), so the input bounds the loop.
                var budget = bytes.count
                while budget > 0 {
                    budget -= 1
                    scanner.skipWhitespace()
                    guard scanner.peekByte() == JSONByte.quote else { return nil }
                    names.append(scanner.makeString(try scanner.scanString()))
                    scanner.skipWhitespace()
                    try scanner.expect(JSONByte.colon, "':'")
                    scanner.skipWhitespace()
                    try scanner.skipValue()
                    scanner.skipWhitespace()
                    if scanner.peekByte() == JSONByte.comma {
                        scanner.position += 1
                        continue
                    }
                    try scanner.expect(JSONByte.closeBrace, "',' or '}'")
                    break
                }
            }
            scanner.skipWhitespace()
            return scanner.position == scanner.count ? names : nil
        } catch {
            return nil
        }
    }

    /// Returns the first member name that appears twice in one object of a valid document, located
    /// at its second occurrence, or `nil` when there is none or the document is not valid JSON.
    ///
    /// RFC 8259 leaves the meaning of a repeated name open, and Foundation's decoder keeps one of
    /// the values without a word, so configuration readers reject repeats with this check.
    public static func duplicateMemberName(in bytes: UnsafeRawBufferPointer) -> JSONSyntaxError? {
        guard let base = bytes.baseAddress, syntaxError(in: bytes) == nil else { return nil }
        var scanner = JSONScanner(base: base, count: bytes.count)
        // One entry per open container: the member names seen so far, or nil for an array.
        var openContainers: [Set<String>?] = []
        do throws(MalformedJSON) {
            // Every pass consumes at least one byte, so the input length bounds the loop.
            var budget = bytes.count + 1
            while budget > 0 {
                budget -= 1
                scanner.skipWhitespace()
                guard scanner.position < scanner.count else { return nil }
                switch scanner.peekByte() {
                case JSONByte.openBrace:
                    openContainers.append([])
                    scanner.position += 1
                case JSONByte.openBracket:
                    openContainers.append(nil)
                    scanner.position += 1
                case JSONByte.closeBrace, JSONByte.closeBracket:
                    openContainers.removeLast()
                    scanner.position += 1
                case JSONByte.comma, JSONByte.colon:
                    scanner.position += 1
                case JSONByte.quote:
                    let start = scanner.position
                    let token = try scanner.scanString()
                    // In a valid document, only a member name is followed by a colon.
                    scanner.skipWhitespace()
                    guard scanner.peekByte() == JSONByte.colon, let last = openContainers.indices.last else { continue }
                    let name = scanner.makeString(token)
                    if openContainers[last]?.insert(name).inserted == false {
                        let error = MalformedJSON(
                            offset: start,
                            message: "member \"\(name)\" appears twice in one object"
                        )
                        return makeError(error, in: bytes)
                    }
                default:
                    try scanner.scanScalar()
                }
            }
            return nil
        } catch {
            return nil
        }
    }

    /// Returns an error at the first `[` or `{` of a valid document that opens level
    /// `maximumDepth + 1`, or `nil` when the document nests no deeper. Parsers that recurse per
    /// level, such as Foundation's, fail on deep documents without saying where.
    /// - Complexity: O(n) in the document's bytes.
    public static func nestingError(in bytes: UnsafeRawBufferPointer, maximumDepth: Int) -> JSONSyntaxError? {
        var depth = 0
        var strings = JSONStringTracker()
        for (offset, byte) in bytes.enumerated() {
            if strings.isInString(byte) { continue }
            switch byte {
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maximumDepth {
                    return makeError(
                        MalformedJSON(
                            offset: offset,
                            message: "arrays and objects nested deeper than \(maximumDepth) levels"
                        ),
                        in: bytes
                    )
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return nil
    }

    static func makeError(_ error: MalformedJSON, in bytes: UnsafeRawBufferPointer) -> JSONSyntaxError {
        let offset = min(error.offset, bytes.count)
        var line = 1
        var lineStart = 0
        for index in 0..<offset where bytes[index] == JSONByte.lineFeed {
            line += 1
            lineStart = index + 1
        }
        return JSONSyntaxError(offset: offset, line: line, column: offset - lineStart + 1, message: error.message)
    }
}
