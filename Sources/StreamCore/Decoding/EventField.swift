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

    /// Returns the field whose name is the `count` decoded bytes at `name`, or `nil` for an
    /// unknown name.
    ///
    /// Compares whole words read little-endian against the names' bytes, so each candidate costs
    /// one or two integer comparisons. `DecoderFieldNameTests` checks the constants against
    /// ``jsonName``.
    @inline(__always)
    static func matching(_ name: UnsafePointer<UInt8>, count: Int) -> EventField? {
        let raw = UnsafeRawPointer(name)
        func word16(_ offset: Int) -> UInt16 {
            UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
        }
        func word32(_ offset: Int) -> UInt32 {
            UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
        }
        func word64(_ offset: Int) -> UInt64 {
            UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        }

        switch count {
        case 2:
            return word16(0) == 0x7374 ? .ts : nil  // "ts"
        case 4:
            return word32(0) == 0x6570_7974 ? .type : nil  // "type"
        case 7:
            // Bytes 0–3 and 3–6 overlap, which covers all seven bytes with two loads.
            let head = word32(0)
            let tail = word32(3)
            if head == 0x656D_656D && tail == 0x6469_5F65 {  // "meme", "e_id"
                return .memeID
            }
            if head == 0x7265_7375 && tail == 0x6469_5F72 {  // "user", "r_id"
                return .userID
            }
            return nil
        case 8:
            return word64(0) == 0x736D_5F6C_6C65_7764 ? .dwellMilliseconds : nil  // "dwell_ms"
        case 12:
            // "publishe" and "d_at"
            return word64(0) == 0x6568_7369_6C62_7570 && word32(8) == 0x7461_5F64 ? .publishedAt : nil
        default:
            return nil
        }
    }
}

extension EventField {
    /// The field producers usually send after this one (`meme_id`, `type`, `ts`, `user_id`,
    /// `published_at`, `dwell_ms`), which the decoder tries first. It is `nil` after the last.
    var usualSuccessor: EventField? {
        EventField(rawValue: rawValue + 1)
    }

    /// Returns the length of `"name":` for this field when the bytes at `raw` start with exactly
    /// that: the member name without escapes, its quotes and the colon directly after. Returns 0
    /// otherwise.
    ///
    /// Reads 16 bytes at `raw`, which the caller must have. Whole words are compared, so a
    /// candidate costs one or two integer comparisons. `DecoderFieldNameTests` checks the
    /// constants against ``jsonName``.
    @inline(__always)
    func quotedNameLength(at raw: UnsafeRawPointer) -> Int {
        func word(_ offset: Int) -> UInt64 {
            UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        }
        // Names longer than 8 bytes compare the first 8 and the last 8, which overlap.
        switch self {
        case .memeID:  // "meme_id":
            return word(0) == 0x6469_5F65_6D65_6D22 && word(2) == 0x3A22_6469_5F65_6D65 ? 10 : 0
        case .type:  // "type":
            return word(0) & 0x00FF_FFFF_FFFF_FFFF == 0x003A_2265_7079_7422 ? 7 : 0
        case .ts:  // "ts":
            return word(0) & 0xFF_FFFF_FFFF == 0x3A_2273_7422 ? 5 : 0
        case .userID:  // "user_id":
            return word(0) == 0x6469_5F72_6573_7522 && word(2) == 0x3A22_6469_5F72_6573 ? 10 : 0
        case .publishedAt:  // "published_at":
            return word(0) == 0x6873_696C_6275_7022 && word(7) == 0x3A22_7461_5F64_6568 ? 15 : 0
        case .dwellMilliseconds:  // "dwell_ms":
            return word(0) == 0x6D5F_6C6C_6577_6422 && word(3) == 0x3A22_736D_5F6C_6C65 ? 11 : 0
        }
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
