/// One feature's value at one tick: an integer, a float or null.
///
/// Integers are written in plain decimal, floats in the shortest form that round-trips
/// (`2.0`, `0.03333333333333333`, `1e-05`, as Python's `repr` and JSON writers produce), and
/// null as `null`.
public enum FeatureValue: Sendable, Hashable, CustomStringConvertible {
    /// An exact integer, such as a count or an event time in ms.
    case integer(Int64)
    /// An IEEE double.
    case float(Double)
    /// No value (for example the mean of an empty window).
    case null

    /// The JSON text of the value.
    public var description: String {
        var bytes: [UInt8] = []
        JSONOutput.appendValue(self, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The value as a double for arithmetic, or `nil` for null.
    @inlinable
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .float(let value): return value
        case .null: return nil
        }
    }
}
