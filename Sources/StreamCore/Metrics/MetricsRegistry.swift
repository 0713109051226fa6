import Synchronization

/// The set of metric families and their series, from which `/metrics` is rendered.
///
/// A series is one family plus one value per label name. Asking for the same family and label
/// values again returns the same object, so every caller shares one count.
///
/// Thread safety: every method may be called from any thread. Lookups take the registry's lock
/// and hash the labels, so hot paths fetch their ``Counter``/``Gauge``/``Histogram`` once and keep
/// the reference. Updating a fetched metric never touches the registry.
public final class MetricsRegistry: Sendable {
    /// One series: a family name and label values in the family's label order.
    struct SeriesKey: Hashable {
        var name: String
        var labelValues: [String]
    }

    enum Series {
        case counter(Counter)
        case gauge(Gauge)
        case histogram(Histogram)
    }

    struct Storage {
        var families: [String: MetricDescriptor] = [:]
        var series: [SeriesKey: Series] = [:]
    }

    let storage = Mutex(Storage())

    /// Creates an empty registry.
    public init() {}

    /// Creates a registry with `descriptors` registered; families without labels get their
    /// single series at once, so they print 0 before the first update.
    public convenience init(registering descriptors: [MetricDescriptor]) {
        self.init()
        for descriptor in descriptors {
            register(descriptor)
        }
    }

    /// Registers a family so that `/metrics` lists it before its first update.
    ///
    /// - Precondition: no other family with the same name but a different definition was
    ///   registered; that is a programmer error and traps.
    public func register(_ descriptor: MetricDescriptor) {
        storage.withLock { storage in
            Self.insertFamily(descriptor, into: &storage)
            if descriptor.labelNames.isEmpty {
                _ = Self.series(descriptor, labelValues: [], in: &storage)
            }
        }
    }

    /// Returns the counter of `descriptor` with `labels`, creating it at 0.
    ///
    /// - Parameter labels: One value per label name of the descriptor, in any order.
    /// - Precondition: `descriptor.kind` is `.counter` and `labels` names exactly the
    ///   descriptor's label names.
    public func counter(_ descriptor: MetricDescriptor, labels: [(String, String)] = []) -> Counter {
        precondition(descriptor.kind == .counter, "metric '\(descriptor.name)' is a \(descriptor.kind), not a counter")
        guard case .counter(let counter) = lookup(descriptor, labels: labels) else {
            preconditionFailure("metric '\(descriptor.name)' is registered with another type")
        }
        return counter
    }

    /// Returns the gauge of `descriptor` with `labels`, creating it at 0.
    ///
    /// - Precondition: `descriptor.kind` is `.gauge` and `labels` names exactly the descriptor's
    ///   label names.
    public func gauge(_ descriptor: MetricDescriptor, labels: [(String, String)] = []) -> Gauge {
        precondition(descriptor.kind == .gauge, "metric '\(descriptor.name)' is a \(descriptor.kind), not a gauge")
        guard case .gauge(let gauge) = lookup(descriptor, labels: labels) else {
            preconditionFailure("metric '\(descriptor.name)' is registered with another type")
        }
        return gauge
    }

    /// Returns the histogram of `descriptor` with `labels`, creating it empty.
    ///
    /// - Precondition: `descriptor.kind` is `.histogram` and `labels` names exactly the
    ///   descriptor's label names.
    public func histogram(_ descriptor: MetricDescriptor, labels: [(String, String)] = []) -> Histogram {
        precondition(
            descriptor.kind == .histogram,
            "metric '\(descriptor.name)' is a \(descriptor.kind), not a histogram"
        )
        guard case .histogram(let histogram) = lookup(descriptor, labels: labels) else {
            preconditionFailure("metric '\(descriptor.name)' is registered with another type")
        }
        return histogram
    }

    /// Removes one series, for example the per-partition gauges of a revoked partition, so that
    /// `/metrics` stops reporting a stale value. References callers still hold keep working but
    /// are no longer exported.
    public func removeSeries(_ descriptor: MetricDescriptor, labels: [(String, String)]) {
        let key = SeriesKey(name: descriptor.name, labelValues: Self.labelValues(descriptor, labels))
        storage.withLock { storage in
            storage.series[key] = nil
        }
    }

    // MARK: - Storage helpers

    private func lookup(_ descriptor: MetricDescriptor, labels: [(String, String)]) -> Series {
        let values = Self.labelValues(descriptor, labels)
        return storage.withLock { storage in
            Self.insertFamily(descriptor, into: &storage)
            return Self.series(descriptor, labelValues: values, in: &storage)
        }
    }

    private static func insertFamily(_ descriptor: MetricDescriptor, into storage: inout Storage) {
        if let existing = storage.families[descriptor.name] {
            precondition(
                existing == descriptor,
                "metric '\(descriptor.name)' is already registered with another type, help, labels or buckets"
            )
        } else {
            storage.families[descriptor.name] = descriptor
        }
    }

    private static func series(
        _ descriptor: MetricDescriptor,
        labelValues: [String],
        in storage: inout Storage
    ) -> Series {
        let key = SeriesKey(name: descriptor.name, labelValues: labelValues)
        if let existing = storage.series[key] {
            return existing
        }
        let created: Series
        switch descriptor.kind {
        case .counter: created = .counter(Counter())
        case .gauge: created = .gauge(Gauge())
        case .histogram: created = .histogram(Histogram(bounds: descriptor.buckets))
        }
        storage.series[key] = created
        return created
    }

    /// Orders label values by the descriptor's label names.
    static func labelValues(_ descriptor: MetricDescriptor, _ labels: [(String, String)]) -> [String] {
        precondition(
            labels.count == descriptor.labelNames.count,
            "metric '\(descriptor.name)' takes labels \(descriptor.labelNames), got \(labels.map { $0.0 })"
        )
        return descriptor.labelNames.map { name in
            guard let value = labels.first(where: { $0.0 == name })?.1 else {
                preconditionFailure(
                    "metric '\(descriptor.name)' takes labels \(descriptor.labelNames), got \(labels.map { $0.0 })"
                )
            }
            return value
        }
    }
}
