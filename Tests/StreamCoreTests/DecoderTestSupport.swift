@testable import StreamCore

/// Helpers shared by the decoder suites.
enum DecoderTestSupport {
    static let defaultDecoder = EventDecoder()

    /// Decodes the UTF-8 bytes of `text`.
    static func decode(
        _ text: String,
        recordTimestamp: Int64? = nil,
        decoder: EventDecoder = defaultDecoder
    ) -> DecodeResult {
        decoder.decode(Array(text.utf8), recordTimestamp: recordTimestamp)
    }

    /// Returns the reason code of the result, or "accepted".
    static func outcome(_ result: DecodeResult) -> String {
        switch result {
        case .accepted: "accepted"
        case .rejected(let rejection): rejection.reason.rawValue
        }
    }

    /// Builds a valid event whose extra members (`,"x":1` and so on) are spliced in before the `}`.
    static func event(_ extra: String = "", ts: String = "1700000000000") -> String {
        #"{"meme_id":"m1","type":"view","ts":"# + ts + extra + "}"
    }
}
