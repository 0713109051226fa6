import StreamCore
import Testing

/// Whole-document syntax checks with positions, and top-level member names.
@Suite struct JSONDocumentCheckTests {
    static func syntaxError(_ text: String) -> JSONSyntaxError? {
        Array(text.utf8).withUnsafeBytes { JSONDocumentCheck.syntaxError(in: $0) }
    }

    static func memberNames(_ text: String) -> [String]? {
        Array(text.utf8).withUnsafeBytes { JSONDocumentCheck.topLevelMemberNames(in: $0) }
    }

    @Test(arguments: [#"{"a":[1,2,{"b":null}]}"#, " \n[true, false]\r\n", "\"text\"", "-1.5e3"])
    func validDocumentHasNoError(text: String) {
        #expect(Self.syntaxError(text) == nil)
    }

    @Test func errorPositionCountsLinesAndColumns() throws {
        let error = try #require(Self.syntaxError("{\"a\": 1,\n  \"b\": 2,,\n}"))
        #expect(error.line == 2)
        #expect(error.column == 10)
        #expect(error.offset == 18)
        #expect(error.message.contains("found ','"), "message: \(error.message)")
        #expect(error.description.hasSuffix("at line 2, column 10"), "description: \(error.description)")
    }

    @Test(arguments: [
        ("", 1, 1),
        ("{\"a\":1", 1, 7),
        ("{\"a\":1} {", 1, 9),
        ("[1]\n\nx", 3, 1),
        ("{\"a\":tru}", 1, 9),
    ])
    func errorIsLocated(text: String, line: Int, column: Int) throws {
        let error = try #require(Self.syntaxError(text))
        #expect(error.line == line, "error: \(error)")
        #expect(error.column == column, "error: \(error)")
    }

    @Test func memberNamesAreInDocumentOrder() {
        let text = #" {"payload":"{\"x\":1}","partition":0,"off\u0073et":[1,{"y":2}]} "#
        #expect(Self.memberNames(text) == ["payload", "partition", "offset"])
        #expect(Self.memberNames("{}") == [])
    }

    @Test(arguments: ["[1]", "{\"a\":1", "{\"a\":1} x", "", "{\"a\" 1}", "{1:2}"])
    func memberNamesOfNonObjectAreNil(text: String) {
        #expect(Self.memberNames(text) == nil)
    }

    static func duplicate(_ text: String) -> JSONSyntaxError? {
        Array(text.utf8).withUnsafeBytes { JSONDocumentCheck.duplicateMemberName(in: $0) }
    }

    @Test func duplicateMemberIsLocatedAtSecondOccurrence() throws {
        let error = try #require(Self.duplicate("{\"a\": [{\"b\": 1,\n \"b\": 2}]}"))
        #expect(error.line == 2)
        #expect(error.column == 2)
        #expect(error.message == #"member "b" appears twice in one object"#)
    }

    @Test(arguments: [
        #"{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}"#,
        #"["a","a",{"a":"a"}]"#,
        #"{"a":"b:","b":": \"a\""}"#,
        #"{"a":1,"a":"#,
        "",
    ])
    func documentWithoutRepeatsHasNoDuplicate(text: String) {
        #expect(Self.duplicate(text) == nil)
    }

    @Test func escapedDuplicateIsFound() {
        #expect(Self.duplicate(#"{"ab":1,"a\u0062":2}"#)?.message == #"member "ab" appears twice in one object"#)
    }

    static func unrepresentable(_ text: String) -> JSONSyntaxError? {
        Array(text.utf8).withUnsafeBytes { JSONDocumentCheck.unrepresentableNumber(in: $0) }
    }

    @Test(arguments: [
        ("{\"v\": 0.99999999999999999999}", "would be read as 1"),
        ("[1, 60000.00000000000001]", "would be read as 60000"),
        ("[-12.000000000000000000001e1]", "would be read as -120"),
        ("[1234567890123456789012.5]", "would be read as 1.2345678901234568e+21"),
        ("[1e-400]", "is not zero, but it is too small for a double and would be read as 0"),
        ("[1e400]", "is outside the range of a double"),
        ("[-1e99999]", "is outside the range of a double"),
    ])
    func unrepresentableNumberIsFound(text: String, problem: String) throws {
        let error = try #require(Self.unrepresentable(text))
        #expect(error.message.contains(problem), "message: \(error.message)")
    }

    @Test(arguments: [
        #"{"v": 1.5, "w": 60000, "x": 6.0e4, "y": 1.0, "z": -0.0, "zero": 0e-400}"#,
        #"{"v": "0.99999999999999999999"}"#,
        #"{"v\"0.99999999999999999999": 2}"#,
        #"[0.1000000000000000000001, 12e-1, 1e308, 2.2250738585072014e-308]"#,
    ])
    func representableNumberIsNotReported(text: String) {
        #expect(Self.unrepresentable(text) == nil)
    }

    @Test func unrepresentableNumberIsLocated() throws {
        let error = try #require(Self.unrepresentable("{\"a\": 1,\n \"b\": 2.00000000000000000001}"))
        #expect(error.line == 2)
        #expect(error.column == 7)
    }
}
