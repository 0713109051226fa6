// libFuzzer entry point for EventDecoder. scripts/fuzz-decoder.sh compiles this file together
// with the decoder's sources into one module, so it calls internal API directly.

/// Decodes one fuzzer input and traps when a result breaks the decoder's contract.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEventDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let value = UnsafeRawBufferPointer(start: data, count: size)
    let decoder = EventDecoder(maxEventBytes: 1 << 20)
    let recordTimestamp: Int64? = size % 2 == 0 ? 1_700_000_000_000 : nil
    let first = decoder.decode(value, recordTimestamp: recordTimestamp)
    let second = decoder.decode(value, recordTimestamp: recordTimestamp)
    precondition(first == second, "decoding is not deterministic")

    switch first {
    case .accepted(let event):
        precondition((1...128).contains(event.memeID.utf8.count), "meme_id length out of range")
        precondition(event.type.utf8.count <= 32, "type too long")
        precondition(
            event.eventTime >= EventTime.minimumValid && event.eventTime < EventTime.endOfValid,
            "ts out of range"
        )
        precondition(event.dwellMilliseconds.map { $0 >= 0 } ?? true, "negative dwell_ms")
        if let userID = event.userID {
            precondition((1...128).contains(userID.utf8.count), "user_id length out of range")
        }
    case .rejected(let rejection):
        precondition(rejection.reason != .late, "the decoder never applies the late rule")
        precondition(!rejection.detail.isEmpty, "empty rejection detail")
    }
    return 0
}
