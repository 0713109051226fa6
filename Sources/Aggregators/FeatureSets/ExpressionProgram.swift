import StreamCore

/// A ``DerivedExpression`` compiled into postfix steps, evaluated without recursion, allocation
/// or reference counting.
///
/// Same semantics as ``DerivedExpression/evaluate(_:tick:)``: IEEE double arithmetic, a null
/// operand makes the result null, `coalesce` gives its first non-null argument. Every argument
/// is evaluated (expressions have no side effects), so only the combining step differs.
///
/// Not thread-safe: the evaluation stack is part of the program. The owner frees it with
/// ``deallocate()``.
struct ExpressionProgram {
    enum Step {
        case constant(Double)
        case feature(Int)
        case tick
        case negate
        case binary(UInt8)
        case coalesce(Int)
        case minimum(Int)
        case maximum(Int)
    }

    private let steps: UnsafeMutableBufferPointer<Step>
    /// The value stack; NaN-boxing is avoided, so nulls are tracked beside the values.
    private let stack: UnsafeMutablePointer<Double>
    private let isNull: UnsafeMutablePointer<Bool>

    init(_ expression: DerivedExpression) {
        var steps: [Step] = []
        var depth = 0
        var deepest = 0
        func emit(_ step: Step, popping popped: Int) {
            steps.append(step)
            depth += 1 - popped
            deepest = Swift.max(deepest, depth)
        }
        func compile(_ expression: DerivedExpression) {
            switch expression {
            case .constant(let value): emit(.constant(value), popping: 0)
            case .feature(let index, _): emit(.feature(index), popping: 0)
            case .tick: emit(.tick, popping: 0)
            case .negate(let operand):
                compile(operand)
                emit(.negate, popping: 1)
            case .binary(let operation, let left, let right):
                compile(left)
                compile(right)
                emit(.binary(operation), popping: 2)
            case .call(let name, let arguments):
                for argument in arguments { compile(argument) }
                let count = arguments.count
                switch name {
                case "coalesce": emit(.coalesce(count), popping: count)
                case "min": emit(.minimum(count), popping: count)
                default: emit(.maximum(count), popping: count)
                }
            }
        }
        compile(expression)
        self.steps = .allocate(capacity: steps.count)
        _ = self.steps.initialize(from: steps)
        stack = .allocate(capacity: Swift.max(1, deepest))
        isNull = .allocate(capacity: Swift.max(1, deepest))
    }

    /// Frees the program's memory.
    func deallocate() {
        steps.deallocate()
        stack.deallocate()
        isNull.deallocate()
    }

    /// Evaluates the program over `values` (indexed by feature position) at `tick`.
    @inline(__always)
    func evaluate(_ values: UnsafeMutablePointer<FeatureValue>, tick: Int64) -> FeatureValue {
        var top = 0
        for step in steps {
            switch step {
            case .constant(let value):
                stack[top] = value
                isNull[top] = false
                top += 1
            case .feature(let index):
                switch values[index] {
                case .integer(let value):
                    stack[top] = Double(value)
                    isNull[top] = false
                case .float(let value):
                    stack[top] = value
                    isNull[top] = false
                case .null:
                    isNull[top] = true
                }
                top += 1
            case .tick:
                stack[top] = Double(tick)
                isNull[top] = false
                top += 1
            case .negate:
                stack[top - 1] = -stack[top - 1]
            case .binary(let operation):
                top -= 1
                isNull[top - 1] = isNull[top - 1] || isNull[top]
                let left = stack[top - 1]
                let right = stack[top]
                let result: Double
                switch operation {
                case UInt8(ascii: "+"): result = left + right
                case UInt8(ascii: "-"): result = left - right
                case UInt8(ascii: "*"): result = left * right
                default: result = left / right
                }
                stack[top - 1] = result
                // A result that is not finite (a division by zero, an overflow) is null at once,
                // so that coalesce, min and max see the null a record would show.
                if !result.isFinite { isNull[top - 1] = true }
            case .coalesce(let count):
                let first = top - count
                var chosen = -1
                for index in first..<top where !isNull[index] {
                    chosen = index
                    break
                }
                top = first + 1
                if chosen < 0 {
                    isNull[first] = true
                } else {
                    stack[first] = stack[chosen]
                    isNull[first] = false
                }
            case .minimum(let count), .maximum(let count):
                let first = top - count
                var anyNull = false
                var result = stack[first]
                for index in first..<top {
                    if isNull[index] { anyNull = true }
                    if case .minimum = step {
                        result = Swift.min(result, stack[index])
                    } else {
                        result = Swift.max(result, stack[index])
                    }
                }
                top = first + 1
                stack[first] = result
                isNull[first] = anyNull
            }
        }
        guard top == 1, !isNull[0] else { return .null }
        // -0.0 and 0.0 are equal numbers, so records use one spelling. The comparison with the
        // last emitted vector then treats them as equal too.
        return .float(stack[0] == 0 ? 0 : stack[0])
    }
}
