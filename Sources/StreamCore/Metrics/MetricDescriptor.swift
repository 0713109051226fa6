/// The definition of one metric family: its name, help text, type, label names and, for
/// histograms, bucket upper bounds.
///
/// Names follow Prometheus conventions: `snake_case`, the base unit as a suffix (`_seconds`,
/// `_bytes`), `_total` on counters. memestream's own families are listed in
/// ``MetricDescriptor/all``.
public struct MetricDescriptor: Sendable, Hashable {
    /// The family name, for example `memestream_events_consumed_total`.
    public var name: String
    /// One line for the `# HELP` comment: what is measured and in what unit.
    public var help: String
    /// The Prometheus type.
    public var kind: MetricKind
    /// The label names every series of the family carries, in exposition order.
    public var labelNames: [String]
    /// Histogram bucket upper bounds in the family's unit, strictly increasing, without `+Inf`
    /// (which is always added). Empty for counters and gauges.
    public var buckets: [Double]

    /// Creates a descriptor.
    ///
    /// - Precondition: `name` and every label name match `[a-zA-Z_][a-zA-Z0-9_]*`, and
    ///   `buckets` is strictly increasing and finite. Violations are programmer errors and trap.
    public init(name: String, help: String, kind: MetricKind, labelNames: [String] = [], buckets: [Double] = []) {
        precondition(Self.isValidName(name), "metric name '\(name)' must match [a-zA-Z_][a-zA-Z0-9_]*")
        for label in labelNames {
            precondition(
                Self.isValidName(label) && label != "le",
                "label name '\(label)' of metric '\(name)' must match [a-zA-Z_][a-zA-Z0-9_]* and not be 'le'"
            )
        }
        precondition(
            zip(buckets, buckets.dropFirst()).allSatisfy { $0 < $1 } && buckets.allSatisfy(\.isFinite),
            "buckets of metric '\(name)' must be finite and strictly increasing"
        )
        self.name = name
        self.help = help
        self.kind = kind
        self.labelNames = labelNames
        self.buckets = kind == .histogram ? buckets : []
    }

    /// Returns `true` when `name` matches `[a-zA-Z_][a-zA-Z0-9_]*`.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first else { return false }
        let isLetter: (UInt8) -> Bool = { ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 95 }
        guard isLetter(first) else { return false }
        return name.utf8.allSatisfy { isLetter($0) || ($0 >= 48 && $0 <= 57) }
    }
}
