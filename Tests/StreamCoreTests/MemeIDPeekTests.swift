import Testing

@testable import StreamCore

/// The `meme_id` peek for look-ahead hints: the plain forms give the key, anything else gives
/// `nil` or some bytes, and no input makes it read outside the value.
@Suite struct MemeIDPeekTests {
    private func peek(_ text: String) -> String? {
        Array(text.utf8).withUnsafeBytes { bytes in
            MemeIDPeek.memeID(in: bytes).map { String(decoding: $0, as: UTF8.self) }
        }
    }

    @Test func findsTheKeyWhereverTheMemberIs() {
        #expect(peek(#"{"meme_id":"m42","type":"view"}"#) == "m42")
        #expect(peek(#"{"type":"view","ts":1,"meme_id":"meme-7"}"#) == "meme-7")
        #expect(peek("{ \"meme_id\" :\t\"spaced\" }") == "spaced")
        #expect(peek(#"{"user_id":"u1","meme_id":"m1"}"#) == "m1")
    }

    @Test(arguments: [
        "", "{", #"{"meme_id""#, #"{"meme_id":"#, #"{"meme_id":"unterminated"#, #"{"meme_id":42}"#,
        #"{"meme_id":null}"#, #"{"meme_id":"a\"b"}"#, #"{"meme_id":""}"#, #"{"memes":"m1"}"#,
        #"{"type":"view"}"#, "not json at all", String(repeating: "\"", count: 300),
    ])
    func givesNothingWithoutAPlainKey(text: String) {
        #expect(peek(text) == nil)
    }

    @Test func keysLongerThan255BytesAreNotPeeked() {
        let key = String(repeating: "k", count: 256)
        #expect(peek(#"{"meme_id":"\#(key)"}"#) == nil)
        #expect(peek(#"{"meme_id":"\#(key.dropLast())"}"#)?.count == 255)
    }

    @Test func everyPrefixOfAValueStaysInsideIt() {
        // Each cut is copied to its own allocation, so a read past the end would be caught by
        // the address sanitizer and would at least not find the key.
        let text = Array(#"{"type":"like","meme_id":"m-100","ts":1700000000000}"#.utf8)
        for length in 0..<text.count {
            let cut = Array(text[..<length])
            let found = cut.withUnsafeBytes { MemeIDPeek.memeID(in: $0).map { Array($0) } }
            if length < 32 { #expect(found == nil, "cut at \(length)") } else { #expect(found == Array("m-100".utf8)) }
        }
    }
}
