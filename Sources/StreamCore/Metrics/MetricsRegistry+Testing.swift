/// A series a test expected but the registry does not contain.
public struct MissingMetricError: Error, CustomStringConvertible {
    /// The family name that was looked up.
    public var name: String
    /// The labels that were looked up.
    public var labels: [(String, String)]
    /// The cause of the failed lookup.
    public var reason: String

    public var description: String {
        let labelText = labels.map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",")
        return "metric \(name){\(labelText)} not found: \(reason)"
    }
}

// MARK: - Lookups for tests

extension MetricsRegistry {
    /// Returns the existing counter `name` with `labels`, without creating one.
    ///
    /// - Throws: ``MissingMetricError`` naming the family and labels when the family is not
    ///   registered, is not a counter, or has no series with these labels.
    public func expectCounter(_ name: String, labels: [(String, String)] = []) throws -> Counter {
        guard case .counter(let counter) = try existingSeries(name, labels: labels, kind: .counter) else {
            throw MissingMetricError(name: name, labels: labels, reason: "not a counter")
        }
        return counter
    }

    /// Returns the existing gauge `name` with `labels`, without creating one.
    ///
    /// - Throws: ``MissingMetricError`` as ``expectCounter(_:labels:)`` does.
    public func expectGauge(_ name: String, labels: [(String, String)] = []) throws -> Gauge {
        guard case .gauge(let gauge) = try existingSeries(name, labels: labels, kind: .gauge) else {
            throw MissingMetricError(name: name, labels: labels, reason: "not a gauge")
        }
        return gauge
    }

    /// Returns the existing histogram `name` with `labels`, without creating one.
    ///
    /// - Throws: ``MissingMetricError`` as ``expectCounter(_:labels:)`` does.
    public func expectHistogram(_ name: String, labels: [(String, String)] = []) throws -> Histogram {
        guard case .histogram(let histogram) = try existingSeries(name, labels: labels, kind: .histogram) else {
            throw MissingMetricError(name: name, labels: labels, reason: "not a histogram")
        }
        return histogram
    }

    private func existingSeries(_ name: String, labels: [(String, String)], kind: MetricKind) throws -> Series {
        try storage.withLock { storage in
            guard let descriptor = storage.families[name] else {
                throw MissingMetricError(name: name, labels: labels, reason: "no family with this name is registered")
            }
            guard descriptor.kind == kind else {
                throw MissingMetricError(name: name, labels: labels, reason: "the family is a \(descriptor.kind)")
            }
            let names = Set(labels.map { $0.0 })
            guard names == Set(descriptor.labelNames), labels.count == descriptor.labelNames.count else {
                throw MissingMetricError(
                    name: name,
                    labels: labels,
                    reason: "the family takes labels \(descriptor.labelNames)"
                )
            }
            let values = descriptor.labelNames.map { label in labels.first { $0.0 == label }!.1 }
            guard let series = storage.series[SeriesKey(name: name, labelValues: values)] else {
                throw MissingMetricError(name: name, labels: labels, reason: "no series with these labels exists")
            }
            return series
        }
    }
}
