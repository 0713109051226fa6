/// A parsed JSON value that keeps member order and tells integers from other numbers by their
/// text, so tests can compare integers exactly and floats with a tolerance.
indirect enum JSONTestValue: Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONTestValue])
    case object([(String, JSONTestValue)])

    static func == (lhs: JSONTestValue, rhs: JSONTestValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.integer(let a), .integer(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    var description: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return String(value)
        case .integer(let value): return String(value)
        case .number(let value): return String(value)
        case .string(let value): return "\"\(value)\""
        case .array(let values): return "[" + values.map(\.description).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
        }
    }

    /// The member named `name` of an object, or `nil`.
    subscript(name: String) -> JSONTestValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == name }?.1
    }

    /// Returns the differences between `self` (actual) and `expected`: same member order and
    /// types, integers equal, other numbers within `relativeTolerance`. Empty when they match.
    func differences(from expected: JSONTestValue, path: String = "", relativeTolerance: Double = 1e-9) -> [String] {
        switch (self, expected) {
        case (.number(let actual), .number(let wanted)):
            let scale = max(abs(actual), abs(wanted))
            return abs(actual - wanted) <= relativeTolerance * scale ? [] : ["\(path): \(actual) != \(wanted)"]
        case (.object(let actual), .object(let wanted)):
            let actualNames = actual.map(\.0)
            let wantedNames = wanted.map(\.0)
            guard actualNames == wantedNames else { return ["\(path): members \(actualNames) != \(wantedNames)"] }
            return zip(actual, wanted).flatMap {
                $0.1.differences(from: $1.1, path: path + "." + $0.0, relativeTolerance: relativeTolerance)
            }
        case (.array(let actual), .array(let wanted)):
            guard actual.count == wanted.count else { return ["\(path): \(actual.count) items != \(wanted.count)"] }
            return zip(actual, wanted).enumerated().flatMap {
                $1.0.differences(from: $1.1, path: path + "[\($0)]", relativeTolerance: relativeTolerance)
            }
        default:
            return self == expected ? [] : ["\(path): \(self) != \(expected)"]
        }
    }

    /// Parses one JSON document.
    static func parse(_ text: String) throws -> JSONTestValue {
        var parser = Parser(bytes: Array(text.utf8))
        let value = try parser.value()
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw parser.failure("trailing bytes") }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        func failure(_ message: String) -> ReplayTestFailure {
            ReplayTestFailure(message: "JSON parse error at byte \(index): \(message)")
        }

        mutating func skipWhitespace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func value() throws -> JSONTestValue {
            skipWhitespace()
            guard index < bytes.count else { throw failure("unexpected end") }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var members: [(String, JSONTestValue)] = []
                skipWhitespace()
                if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .object(members)
                }
                while true {
                    skipWhitespace()
                    guard case .string(let name) = try value() else { throw failure("member name") }
                    skipWhitespace()
                    guard bytes[index] == UInt8(ascii: ":") else { throw failure("expected ':'") }
                    index += 1
                    members.append((name, try value()))
                    skipWhitespace()
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    guard bytes[index] == UInt8(ascii: "}") else { throw failure("expected '}'") }
                    index += 1
                    return .object(members)
                }
            case UInt8(ascii: "["):
                index += 1
                var items: [JSONTestValue] = []
                skipWhitespace()
                if bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(items)
                }
                while true {
                    items.append(try value())
                    skipWhitespace()
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    guard bytes[index] == UInt8(ascii: "]") else { throw failure("expected ']'") }
                    index += 1
                    return .array(items)
                }
            case UInt8(ascii: "\""):
                index += 1
                var scalars: [UInt8] = []
                while bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\") {
                        index += 1
                        let escaped = bytes[index]
                        switch escaped {
                        case UInt8(ascii: "n"): scalars.append(0x0A)
                        case UInt8(ascii: "t"): scalars.append(0x09)
                        case UInt8(ascii: "r"): scalars.append(0x0D)
                        case UInt8(ascii: "u"):
                            let hex = String(decoding: bytes[(index + 1)...(index + 4)], as: UTF8.self)
                            let scalar = Unicode.Scalar(UInt32(hex, radix: 16) ?? 0x3F) ?? "?"
                            scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
                            index += 4
                        default: scalars.append(escaped)
                        }
                    } else {
                        scalars.append(bytes[index])
                    }
                    index += 1
                }
                index += 1
                return .string(String(decoding: scalars, as: UTF8.self))
            case UInt8(ascii: "t"):
                index += 4
                return .bool(true)
            case UInt8(ascii: "f"):
                index += 5
                return .bool(false)
            case UInt8(ascii: "n"):
                index += 4
                return .null
            default:
                let start = index
                while index < bytes.count, Array("+-0123456789.eE".utf8).contains(bytes[index]) { index += 1 }
                let text = String(decoding: bytes[start..<index], as: UTF8.self)
                if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let integer = Int64(text) {
                    return .integer(integer)
                }
                guard let number = Double(text) else { throw failure("invalid number '\(text)'") }
                return .number(number)
            }
        }
    }
}
