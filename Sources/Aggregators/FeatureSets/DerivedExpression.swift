import StreamCore

/// The arithmetic of a derived or clock expression feature, parsed from text such as
/// `(likes_1h + 1) / (views_1h + 20)` or `max(0, tick - coalesce(published_at_ms, first_seen_ms)) / 1000`.
///
/// Grammar: numbers, names of features listed earlier in the set, `tick` (the tick in ms),
/// `+ - * /`, unary minus, parentheses, and the functions `min(a, b, ...)`, `max(a, b, ...)` and
/// `coalesce(a, b, ...)`. Arithmetic is IEEE double; a null operand makes the result null,
/// except inside `coalesce`, which returns its first non-null argument. The result is a float,
/// or null.
public indirect enum DerivedExpression: Sendable, Hashable {
    /// A number.
    case constant(Double)
    /// The value of the feature at this position of the set.
    case feature(index: Int, name: String)
    /// The tick being computed, in ms.
    case tick
    /// Negation.
    case negate(DerivedExpression)
    /// A binary operation: one of `+ - * /`.
    case binary(UInt8, DerivedExpression, DerivedExpression)
    /// A function call: `min`, `max` or `coalesce`.
    case call(String, [DerivedExpression])

    /// `true` when the value depends on the tick itself: it mentions `tick` or a feature for
    /// which `isClock` returns `true`.
    func dependsOnClock(_ isClock: (Int) -> Bool) -> Bool {
        switch self {
        case .constant: return false
        case .feature(let index, _): return isClock(index)
        case .tick: return true
        case .negate(let operand): return operand.dependsOnClock(isClock)
        case .binary(_, let left, let right): return left.dependsOnClock(isClock) || right.dependsOnClock(isClock)
        case .call(_, let arguments): return arguments.contains { $0.dependsOnClock(isClock) }
        }
    }

    /// The positions of the features the expression reads.
    var referencedIndices: [Int] {
        switch self {
        case .constant, .tick: return []
        case .feature(let index, _): return [index]
        case .negate(let operand): return operand.referencedIndices
        case .binary(_, let left, let right): return left.referencedIndices + right.referencedIndices
        case .call(_, let arguments): return arguments.flatMap(\.referencedIndices)
        }
    }

    /// Computes the expression from the values of the earlier features at `tick` (ms).
    public func evaluate(_ values: [FeatureValue], tick: Int64) -> Double? {
        // -0.0 is written as 0.0, as the engine's compiled program does.
        evaluateStep(values, tick: tick).map { $0 == 0 ? 0 : $0 }
    }

    private func evaluateStep(_ values: [FeatureValue], tick: Int64) -> Double? {
        switch self {
        case .constant(let value): return value
        case .feature(let index, _): return values[index].doubleValue
        case .tick: return Double(tick)
        case .negate(let operand): return operand.evaluateStep(values, tick: tick).map { -$0 }
        case .binary(let operation, let left, let right):
            guard let left = left.evaluateStep(values, tick: tick), let right = right.evaluateStep(values, tick: tick)
            else {
                return nil
            }
            let result: Double
            switch operation {
            case UInt8(ascii: "+"): result = left + right
            case UInt8(ascii: "-"): result = left - right
            case UInt8(ascii: "*"): result = left * right
            default: result = left / right
            }
            // A step that is not finite is null at once, so coalesce, min and max see the null.
            return result.isFinite ? result : nil
        case .call(let name, let arguments):
            if name == "coalesce" {
                for argument in arguments {
                    if let value = argument.evaluateStep(values, tick: tick) { return value }
                }
                return nil
            }
            var result: Double?
            for argument in arguments {
                guard let value = argument.evaluateStep(values, tick: tick) else { return nil }
                result = result.map { name == "min" ? Swift.min($0, value) : Swift.max($0, value) } ?? value
            }
            return result
        }
    }

    /// Parses `text`, resolving names against the features listed before the one being defined.
    ///
    /// - Parameters:
    ///   - text: The expression.
    ///   - featureName: The feature being defined, for error messages.
    ///   - earlierFeatures: Names of the features before it in the set, in order.
    /// - Throws: ``FeatureSetError`` naming the feature, the position and the fix.
    public static func parse(
        _ text: String,
        featureName: String,
        earlierFeatures: [String]
    ) throws(FeatureSetError)
        -> DerivedExpression
    {
        var positions: [String: Int] = [:]
        for (index, name) in earlierFeatures.enumerated() where positions[name] == nil {
            positions[name] = index
        }
        return try parse(text, featureName: featureName, positions: positions)
    }

    /// Parses `text` as ``parse(_:featureName:earlierFeatures:)`` does, with the earlier
    /// features given by name.
    static func parse(
        _ text: String,
        featureName: String,
        positions: [String: Int]
    ) throws(FeatureSetError) -> DerivedExpression {
        var parser = ExpressionParser(bytes: Array(text.utf8), featureName: featureName, positions: positions)
        let expression = try parser.parseSum()
        parser.skipSpaces()
        guard parser.position == parser.bytes.count else {
            throw parser.error(
                "unexpected text at byte \(parser.position) of \"\(FeatureSetError.excerpt(text))\"; an expression "
                    + "holds numbers, feature names, tick, + - * /, parentheses, min, max, coalesce and spaces"
            )
        }
        return expression
    }
}

/// A recursive-descent parser over the expression's bytes. Nesting depth is limited to 64 and
/// the expression to ``maximumTerms`` values.
private struct ExpressionParser {
    /// The maximum number of numbers, names, calls and parenthesized groups in one expression. `a + b + c` is a tree as deep
    /// as its terms, and later passes walk it recursively, so a long chain would overflow the stack.
    static let maximumTerms = 1_024

    let bytes: [UInt8]
    let featureName: String
    /// The features listed before the one being defined, by name.
    let positions: [String: Int]
    var position = 0
    var depth = 0
    var terms = 0

    func error(_ message: String) -> FeatureSetError {
        FeatureSetError(
            feature: featureName,
            "expression: \(message); write numbers, earlier feature names, tick, + - * /, "
                + "parentheses, min, max or coalesce"
        )
    }

    mutating func skipSpaces() {
        while position < bytes.count, bytes[position] == UInt8(ascii: " ") { position += 1 }
    }

    mutating func peek() -> UInt8? {
        skipSpaces()
        return position < bytes.count ? bytes[position] : nil
    }

    mutating func parseSum() throws(FeatureSetError) -> DerivedExpression {
        var result = try parseProduct()
        while let next = peek(), next == UInt8(ascii: "+") || next == UInt8(ascii: "-") {
            position += 1
            result = .binary(next, result, try parseProduct())
        }
        return result
    }

    mutating func parseProduct() throws(FeatureSetError) -> DerivedExpression {
        var result = try parseUnary()
        while let next = peek(), next == UInt8(ascii: "*") || next == UInt8(ascii: "/") {
            position += 1
            result = .binary(next, result, try parseUnary())
        }
        return result
    }

    mutating func parseUnary() throws(FeatureSetError) -> DerivedExpression {
        depth += 1
        defer { depth -= 1 }
        guard depth <= 64 else { throw error("nesting deeper than 64 levels") }
        if peek() == UInt8(ascii: "-") {
            position += 1
            return .negate(try parseUnary())
        }
        return try parsePrimary()
    }

    mutating func parsePrimary() throws(FeatureSetError) -> DerivedExpression {
        guard let next = peek() else { throw error("expression ends where a value is expected") }
        terms += 1
        guard terms <= Self.maximumTerms else {
            throw error(
                "more than \(Self.maximumTerms) terms; split it into helper features with \"emit\": false and combine those"
            )
        }
        if next == UInt8(ascii: "(") {
            position += 1
            let inner = try parseSum()
            guard peek() == UInt8(ascii: ")") else { throw error("missing ) at byte \(position)") }
            position += 1
            return inner
        }
        let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        let isNameByte = { (byte: UInt8) in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || byte == UInt8(ascii: "_") || isDigit(byte)
        }
        let start = position
        if isDigit(next) || next == UInt8(ascii: ".") {
            while position < bytes.count, isDigit(bytes[position]) || bytes[position] == UInt8(ascii: ".") {
                position += 1
            }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            guard let value = Double(text) else { throw error("invalid number \"\(text)\"") }
            guard value.isFinite else { throw error("number \"\(text.prefix(40))…\" is too large for a double") }
            return .constant(value)
        }
        guard isNameByte(next) else { throw error("unexpected character at byte \(position)") }
        while position < bytes.count, isNameByte(bytes[position]) { position += 1 }
        let name = String(decoding: bytes[start..<position], as: UTF8.self)
        if peek() == UInt8(ascii: "(") {
            guard ["min", "max", "coalesce"].contains(name) else {
                throw error("unknown function \"\(FeatureSetError.excerpt(name))\"; use min, max or coalesce")
            }
            position += 1
            var arguments: [DerivedExpression] = []
            while arguments.count < 64 {
                arguments.append(try parseSum())
                let separator = peek()
                position += 1
                if separator == UInt8(ascii: ")") { return .call(name, arguments) }
                guard separator == UInt8(ascii: ",") else { throw error("expected , or ) in \(name)(...)") }
            }
            throw error("\(name)(...) has more than 64 arguments")
        }
        if name == "tick" { return .tick }
        guard let index = positions[name] else {
            throw error("\"\(FeatureSetError.excerpt(name))\" is not a feature listed before \"\(featureName)\"")
        }
        return .feature(index: index, name: name)
    }
}
