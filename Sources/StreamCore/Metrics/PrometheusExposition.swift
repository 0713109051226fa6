extension MetricsRegistry {
    /// The content type of ``prometheusText()``, for the `Content-Type` header of `/metrics`.
    public static let prometheusContentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Renders every family in the Prometheus text exposition format, version 0.0.4.
    ///
    /// Families are sorted by name and series by label values, each family preceded by its
    /// `# HELP` and `# TYPE` lines. Histograms print cumulative `_bucket` series with an `le`
    /// label (ending in `+Inf`), then `_sum` and `_count`. Label values escape `\`, `"` and line
    /// feeds; help text escapes `\` and line feeds.
    ///
    /// - Complexity: O(series × log series) under the registry lock; metric values are read with
    ///   atomic loads or under each histogram's own lock.
    public func prometheusText() -> String {
        let (families, series) = storage.withLock { storage in
            (storage.families, storage.series)
        }
        var seriesByFamily: [String: [(labelValues: [String], series: Series)]] = [:]
        for (key, value) in series {
            seriesByFamily[key.name, default: []].append((key.labelValues, value))
        }

        var text = ""
        for name in families.keys.sorted() {
            let descriptor = families[name]!
            text += "# HELP \(name) \(Self.escapeHelp(descriptor.help))\n"
            text += "# TYPE \(name) \(descriptor.kind.rawValue)\n"
            let members = (seriesByFamily[name] ?? []).sorted {
                $0.labelValues.lexicographicallyPrecedes($1.labelValues)
            }
            for member in members {
                let pairs = Array(zip(descriptor.labelNames, member.labelValues))
                switch member.series {
                case .counter(let counter):
                    text += "\(name)\(Self.labelText(pairs)) \(counter.value)\n"
                case .gauge(let gauge):
                    text += "\(name)\(Self.labelText(pairs)) \(Self.number(gauge.value))\n"
                case .histogram(let histogram):
                    let snapshot = histogram.snapshot()
                    let cumulative = snapshot.cumulativeCounts
                    for (index, bound) in snapshot.bounds.enumerated() {
                        let labels = pairs + [("le", Self.number(bound))]
                        text += "\(name)_bucket\(Self.labelText(labels)) \(cumulative[index])\n"
                    }
                    text += "\(name)_bucket\(Self.labelText(pairs + [("le", "+Inf")])) \(snapshot.count)\n"
                    text += "\(name)_sum\(Self.labelText(pairs)) \(Self.number(snapshot.sum))\n"
                    text += "\(name)_count\(Self.labelText(pairs)) \(snapshot.count)\n"
                }
            }
        }
        return text
    }

    private static func labelText(_ pairs: [(String, String)]) -> String {
        guard !pairs.isEmpty else { return "" }
        let body = pairs.map { "\($0.0)=\"\(escapeLabelValue($0.1))\"" }.joined(separator: ",")
        return "{" + body + "}"
    }

    /// Formats a sample value: integers without a fraction, `+Inf`, `-Inf` and `NaN` spelled as
    /// Prometheus expects, other values in Swift's shortest round-trip form.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 {
            return String(Int64(value))
        }
        return String(value)
    }

    private static func escapeLabelValue(_ value: String) -> String {
        var escaped = ""
        for character in value.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    private static func escapeHelp(_ help: String) -> String {
        var escaped = ""
        for character in help.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }
}
