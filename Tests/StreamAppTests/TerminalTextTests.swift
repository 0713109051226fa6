import Testing

@testable import StreamApp

@Suite struct TerminalTextTests {
    @Test(arguments: [
        ("m1", "m1"),
        ("\u{1B}[2Jm1", "?[2Jm1"),
        ("a\u{7}b\u{7F}c\u{9B}d", "a?b?c?d"),
        ("é\u{0301}✓", "é\u{0301}✓"),
    ])
    func controlCharactersAreReplaced(text: String, expected: String) {
        #expect(TerminalText.printable(text) == expected)
    }
}
