import Testing

@testable import StreamApp

@Suite struct ConfigurationPropertiesFileTests {
    @Test func entriesKeepLineNumbersAndTrim() throws {
        let text = "# header\r\n\r\n  linger.ms =  5 \r\n! bang comment\nsasl.jaas.config=a=b; c=\"d\"\nempty =\n"
        let entries = try PropertiesFile.parse(text, origin: "test")
        #expect(
            entries == [
                PropertiesEntry(key: "linger.ms", value: "5", line: 3),
                PropertiesEntry(key: "sasl.jaas.config", value: "a=b; c=\"d\"", line: 5),
                PropertiesEntry(key: "empty", value: "", line: 6),
            ]
        )
    }

    @Test(arguments: [
        ("no equals sign", "invalid line 1 in test: expected 'key = value'"),
        ("ok = 1\n=2", "invalid line 2 in test: the key before '=' is empty"),
        ("ok = 1\n\u{FEFF}linger.ms = 2", "invalid line 2 in test: the key contains the invisible character U+FEFF"),
    ])
    func invalidLinesNameOriginAndLine(text: String, message: String) {
        do {
            _ = try PropertiesFile.parse(text, origin: "test")
            Issue.record("expected a UsageError for \(text.debugDescription)")
        } catch let error as UsageError {
            #expect(error.message.hasPrefix(message), "message was: \(error.message)")
        } catch {
            Issue.record("expected a UsageError, got \(error)")
        }
    }

    @Test func emptyTextHasNoEntries() throws {
        #expect(try PropertiesFile.parse("", origin: "test").isEmpty)
        #expect(try PropertiesFile.parse("\n\n# only comments\n", origin: "test").isEmpty)
    }
}
