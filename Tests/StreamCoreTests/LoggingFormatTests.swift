import StreamCore
import Testing

@Suite struct LoggingFormatTests {
    private static let entry = LogEntry(
        timestampMilliseconds: 1_700_000_010_123,
        level: .warning,
        label: "memestream.worker",
        message: "record rejected",
        metadata: [LogKey.kafkaPartition: 3, LogKey.kafkaOffset: 42, LogKey.memeID: "m 1", "ratio": 0.5, "ok": true]
    )

    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (1_700_000_010_123, "2023-11-14T22:13:30.123Z"),
        (951_782_400_000, "2000-02-29T00:00:00.000Z"),
        (4_107_542_399_999, "2100-02-28T23:59:59.999Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
    ])
    func timestampIsRFC3339WithMilliseconds(milliseconds: Int64, expected: String) {
        #expect(LogTimestamp.rfc3339(milliseconds: milliseconds) == expected)
    }

    @Test func logfmtLineHasFieldsThenSortedMetadata() {
        let line = LogLineFormatter(format: .logfmt).line(for: Self.entry)
        #expect(
            line
                == #"ts=2023-11-14T22:13:30.123Z level=warning logger=memestream.worker msg="record rejected" kafka.offset=42 kafka.partition=3 meme.id="m 1" ok=true ratio=0.5"#
        )
    }

    @Test func jsonLineKeepsTypesAndOrder() {
        let line = LogLineFormatter(format: .json).line(for: Self.entry)
        #expect(
            line
                == #"{"ts":"2023-11-14T22:13:30.123Z","level":"warning","logger":"memestream.worker","msg":"record rejected","kafka.offset":42,"kafka.partition":3,"meme.id":"m 1","ok":true,"ratio":0.5}"#
        )
    }

    @Test(arguments: [
        ("plain", "plain"),
        ("", #""""#),
        ("a b", #""a b""#),
        ("k=v", #""k=v""#),
        (#"say "hi""#, #""say \"hi\"""#),
        (#"back\slash"#, #""back\\slash""#),
        ("two\nlines", #""two\nlines""#),
        ("tab\there", #""tab\there""#),
        ("bell\u{07}", #""bell\u0007""#),
        ("ünïcode", "ünïcode"),
    ])
    func logfmtEscapesValues(value: String, expected: String) {
        let entry = LogEntry(
            timestampMilliseconds: 0,
            level: .info,
            label: "l",
            message: "m",
            metadata: ["v": .string(value)]
        )
        let line = LogLineFormatter(format: .logfmt).line(for: entry)
        #expect(line.hasSuffix(" v=" + expected))
        #expect(!line.contains("\n"))
    }

    @Test(arguments: [
        ("two\nlines", #""two\nlines""#),
        (#"q"b\s"#, #""q\"b\\s""#),
        ("nul\u{00}", #""nul\u0000""#),
        ("del\u{7F}", #""del\u007f""#),
    ])
    func jsonEscapesStrings(value: String, expected: String) {
        let entry = LogEntry(timestampMilliseconds: 0, level: .info, label: "l", message: value)
        let line = LogLineFormatter(format: .json).line(for: entry)
        #expect(line.hasSuffix(#","msg":"# + expected + "}"))
        #expect(!line.contains("\n"))
    }

    @Test func jsonWritesNonFiniteDoublesAsStrings() {
        let entry = LogEntry(
            timestampMilliseconds: 0,
            level: .info,
            label: "l",
            message: "m",
            metadata: ["x": .double(.infinity)]
        )
        #expect(LogLineFormatter(format: .json).line(for: entry).hasSuffix(#""x":"inf"}"#))
    }

    @Test func reservedMetadataKeysGetPrefix() {
        let entry = LogEntry(
            timestampMilliseconds: 0,
            level: .info,
            label: "l",
            message: "m",
            metadata: ["msg": "other", "level": "x"]
        )
        let line = LogLineFormatter(format: .logfmt).line(for: entry)
        #expect(line.hasSuffix(" msg=m metadata.level=x metadata.msg=other"))
    }

    @Test func logfmtReplacesUnsafeKeyCharacters() {
        let entry = LogEntry(timestampMilliseconds: 0, level: .info, label: "l", message: "m", metadata: ["a b=c": "v"])
        #expect(LogLineFormatter(format: .logfmt).line(for: entry).hasSuffix(" a_b_c=v"))
    }

    @Test(arguments: ["password", "sasl.password", "ssl.key.password", "SASL.PASSWORD", "client.secret", "ssl.key.pem"])
    func secretKeysAreRedacted(key: String) {
        let entry = LogEntry(
            timestampMilliseconds: 0,
            level: .info,
            label: "l",
            message: "m",
            metadata: [key: "hunter2"]
        )
        for format in LogFormat.allCases {
            let line = LogLineFormatter(format: format).line(for: entry)
            #expect(!line.contains("hunter2"))
            #expect(line.contains("[redacted]"))
        }
    }

    @Test(arguments: ["sasl.username", "kafka.topic", "security.protocol"])
    func ordinaryKeysAreNotRedacted(key: String) {
        #expect(!LogRedaction.isSecret(key: key))
    }

    @Test func sourceFieldIsOptional() {
        let entry = LogEntry(
            timestampMilliseconds: 0,
            level: .info,
            label: "l",
            message: "m",
            file: "StreamCore/X.swift",
            line: 7
        )
        #expect(
            LogLineFormatter(format: .logfmt, includesSource: true).line(for: entry).hasSuffix(
                " source=StreamCore/X.swift:7"
            )
        )
        #expect(!LogLineFormatter(format: .logfmt).line(for: entry).contains("source"))
    }
}
