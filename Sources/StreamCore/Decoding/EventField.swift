/// The members of an event object that the decoder reads, in the order rules check them.
enum EventField: Int, CaseIterable, Sendable {
    case memeID
    case type
    case ts
    case userID
    case publishedAt
    case dwellMilliseconds

    /// The member name in the JSON object.
    var jsonName: StaticString {
        switch self {
        case .memeID: "meme_id"
        case .type: "type"
        case .ts: "ts"
        case .userID: "user_id"
        case .publishedAt: "published_at"
        case .dwellMilliseconds: "dwell_ms"
        }
    }

    /// Returns the field whose name is the `count` decoded bytes at `name`, or `nil` for an unknown name.
    @inline(__always)
    static func matching(_ name: UnsafePointer<UInt8>, count: Int) -> EventField? {
        let candidate: EventField
        switch count {
        case 2: candidate = .ts
        case 4: candidate = .type
        case 7: candidate = name[0] == JSONByte.letterU ? .userID : .memeID
        case 8: candidate = .dwellMilliseconds
        case 12: candidate = .publishedAt
        default: return nil
        }
        let expected = candidate.jsonName.utf8Start
        for index in 0..<count where name[index] != expected[index] {
            return nil
        }
        return candidate
    }
}

/// The value seen for each known field of one event object; `nil` when the member is absent.
struct ObservedFields {
    var memeID: JSONValueToken?
    var type: JSONValueToken?
    var ts: JSONValueToken?
    var userID: JSONValueToken?
    var publishedAt: JSONValueToken?
    var dwellMilliseconds: JSONValueToken?

    subscript(field: EventField) -> JSONValueToken? {
        get {
            switch field {
            case .memeID: memeID
            case .type: type
            case .ts: ts
            case .userID: userID
            case .publishedAt: publishedAt
            case .dwellMilliseconds: dwellMilliseconds
            }
        }
        set {
            switch field {
            case .memeID: memeID = newValue
            case .type: type = newValue
            case .ts: ts = newValue
            case .userID: userID = newValue
            case .publishedAt: publishedAt = newValue
            case .dwellMilliseconds: dwellMilliseconds = newValue
            }
        }
    }
}
