/// The Prometheus type of a metric family.
public enum MetricKind: String, Sendable, Hashable {
    /// A value that only goes up (or resets to zero when the process restarts).
    case counter
    /// A value that is set to the current reading and may go up or down.
    case gauge
    /// Observations counted into fixed buckets, with their sum and count.
    case histogram
}
