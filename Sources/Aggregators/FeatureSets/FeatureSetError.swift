/// An invalid feature set definition. The message names the feature and the fix.
public struct FeatureSetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The feature the problem is in, or `nil` for problems with the set as a whole.
    public var feature: String?
    /// The problem and the fix.
    public var message: String

    /// Creates an error about `feature`.
    public init(feature: String?, _ message: String) {
        self.feature = feature
        self.message = message
    }

    public var description: String {
        guard let feature else { return "invalid feature set: \(message)" }
        return "invalid feature \"\(feature)\": \(message)"
    }
}
