/// One metadata value of a log entry.
///
/// Integers, doubles and booleans stay typed so that JSON lines print them as JSON numbers and
/// booleans. String interpolation and literals build values: `["kafka.offset": "\(offset)"]`
/// makes a string, `["kafka.offset": .integer(offset)]` a number.
public enum LogValue: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case integer(Int64)
    case double(Double)
    case bool(Bool)

    /// The value as logfmt prints it, before quoting.
    public var description: String {
        switch self {
        case .string(let text): text
        case .integer(let number): String(number)
        case .double(let number): String(number)
        case .bool(let flag): flag ? "true" : "false"
        }
    }
}

extension LogValue: ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
    public init(stringLiteral value: String) {
        self = .string(value)
    }
}

extension LogValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) {
        self = .integer(value)
    }
}

extension LogValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) {
        self = .double(value)
    }
}

extension LogValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }
}

/// Metadata of a log entry: dotted keys (see ``LogKey``) to values.
public typealias LogMetadata = [String: LogValue]
