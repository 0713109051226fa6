import StreamCore

/// A content defect the generator injects into a record value, each tied to the rejection
/// reason a conforming decoder gives it.
///
/// Each defect breaks exactly one rule and keeps every earlier check passing, so the first
/// failing check (the order is too_large, malformed_json, missing_field, invalid_field,
/// invalid_timestamp, future_timestamp) is the intended one.
enum RecordDefect: UInt8, Sendable, CaseIterable {
    /// A valid event padded past the 64 KiB `max_event_bytes` default.
    case oversized
    /// The value is cut off before its closing brace.
    case truncated
    /// The event object wrapped in a JSON array.
    case notAnObject
    /// `type` appears twice.
    case duplicateMember
    /// `dwell_ms` is the bare word `NaN`, which RFC 8259 does not allow.
    case notANumber
    /// A comma before the closing brace.
    case trailingComma
    /// `meme_id` contains the byte sequence C3 28, which is not UTF-8.
    case invalidUTF8
    /// No `meme_id` member.
    case missingMemeID
    /// `type` is null.
    case nullType
    /// `meme_id` is the empty string.
    case emptyMemeID
    /// No `ts` member.
    case missingTimestamp
    /// `type` starts with an uppercase letter, outside `[a-z][a-z0-9_]{0,31}`.
    case uppercaseType
    /// `meme_id` is 129 bytes long, one past the limit.
    case overlongMemeID
    /// `dwell_ms` is negative.
    case negativeDwell
    /// `dwell_ms` has a fraction.
    case fractionalDwell
    /// `user_id` is the empty string.
    case emptyUserID
    /// `meme_id` is a number instead of a string.
    case numericMemeID
    /// `ts` in epoch seconds.
    case timestampInSeconds
    /// `ts` in epoch microseconds.
    case timestampInMicroseconds
    /// `ts` is RFC 3339 text without `Z` or an offset.
    case timestampWithoutZone
    /// `ts` is a number with a fraction.
    case fractionalTimestamp
    /// `published_at` in epoch seconds, with a valid `ts`.
    case publishedAtInSeconds
    /// `ts` two minutes to two days after the record timestamp (a client clock running ahead).
    case futureTimestamp

    /// The rejection reason a conforming decoder gives a record with this defect.
    var reason: RejectionReason {
        switch self {
        case .oversized:
            .tooLarge
        case .truncated, .notAnObject, .duplicateMember, .notANumber, .trailingComma, .invalidUTF8:
            .malformedJSON
        case .missingMemeID, .nullType, .emptyMemeID, .missingTimestamp:
            .missingField
        case .uppercaseType, .overlongMemeID, .negativeDwell, .fractionalDwell, .emptyUserID, .numericMemeID:
            .invalidField
        case .timestampInSeconds, .timestampInMicroseconds, .timestampWithoutZone, .fractionalTimestamp,
            .publishedAtInSeconds:
            .invalidTimestamp
        case .futureTimestamp:
            .futureTimestamp
        }
    }

    /// Relative weight of each reason among bad records. `too_large` gets a fifth of the weight
    /// because each such record adds 64 KiB to the output.
    static func weight(of reason: RejectionReason) -> Double {
        switch reason {
        case .tooLarge: 0.2
        case .late: 0
        default: 1
        }
    }
}

/// Chooses a defect for each bad record: a reason by ``RecordDefect/weight(of:)``, then one of
/// that reason's defects uniformly.
///
/// Defects the output cannot carry are left out, together with their weight:
/// `futureTimestamp` when records have no record timestamp, `invalidUTF8` when the value is
/// embedded in a JSON envelope.
struct RecordDefectPicker: Sendable {
    private var reasons: [(cumulativeWeight: Double, defects: [RecordDefect])] = []
    private var totalWeight: Double = 0

    init(allowsFutureTimestamps: Bool, allowsInvalidUTF8: Bool) {
        for reason in RejectionReason.allCases {
            let defects = RecordDefect.allCases.filter { defect in
                guard defect.reason == reason else { return false }
                if defect == .futureTimestamp, !allowsFutureTimestamps { return false }
                if defect == .invalidUTF8, !allowsInvalidUTF8 { return false }
                return true
            }
            let weight = RecordDefect.weight(of: reason)
            guard !defects.isEmpty, weight > 0 else { continue }
            totalWeight += weight
            reasons.append((totalWeight, defects))
        }
    }

    /// The rejection reasons the picker can produce, with each one's share of bad records.
    var reasonShares: [RejectionReason: Double] {
        var shares: [RejectionReason: Double] = [:]
        var previous = 0.0
        for entry in reasons {
            shares[entry.defects[0].reason] = (entry.cumulativeWeight - previous) / totalWeight
            previous = entry.cumulativeWeight
        }
        return shares
    }

    @inline(__always)
    func pick(random: inout SeededRandom) -> RecordDefect {
        let target = random.unitInterval() * totalWeight
        let entry = reasons.first { $0.cumulativeWeight > target } ?? reasons[reasons.count - 1]
        return entry.defects[random.index(below: entry.defects.count)]
    }
}
