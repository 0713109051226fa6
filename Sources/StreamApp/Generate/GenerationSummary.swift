import StreamCore

/// Counts of what a generation run wrote, printed to standard error at the end.
struct GenerationSummary: Sendable {
    var records = 0
    var valueBytes = 0
    var intendedRejections: [RejectionReason: Int] = [:]
    var stragglers = 0
    var lateDeliveries = 0
    var mismatchedKeys = 0
    var elapsedNanoseconds: UInt64 = 0

    mutating func count(_ record: GeneratedRecord) {
        records += 1
        valueBytes += record.value.count
        if let reason = record.intendedRejection {
            intendedRejections[reason, default: 0] += 1
        }
        switch record.delayKind {
        case .onTime: break
        case .straggler: stragglers += 1
        case .late: lateDeliveries += 1
        }
        if record.hasMismatchedKey { mismatchedKeys += 1 }
    }

    /// Formats the summary as a few lines for standard error.
    func report(destination: String) -> String {
        let seconds = Double(elapsedNanoseconds) / 1e9
        let rate = seconds > 0 ? Int(Double(records) / seconds) : 0
        var lines = [
            "memestream generate: wrote \(records) \(records == 1 ? "record" : "records") (\(valueBytes) value bytes) to "
                + "\(destination) in \(Int(seconds * 1000)) ms, \(rate) records/s"
        ]
        let reasons = RejectionReason.allCases.compactMap { reason in
            intendedRejections[reason].map { "\(reason.rawValue)=\($0)" }
        }
        lines.append("  bad records: " + (reasons.isEmpty ? "none" : reasons.joined(separator: " ")))
        lines.append(
            "  drawn as late deliveries: \(lateDeliveries) (a worker rejects them as late only when later traffic "
                + "has moved its watermark more than the allowed lateness past them); stragglers: \(stragglers); "
                + "keyed by user_id: \(mismatchedKeys)"
        )
        return lines.joined(separator: "\n")
    }
}
