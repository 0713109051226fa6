import Foundation
import Testing

@testable import StreamApp

/// Worker configuration sources that are not what they claim to be.
@Suite struct ConfigurationHardeningTests {
    @Test(arguments: [
        (["-b", "127.0.0.1:9092", "--config", "/tmp"], [String: String]()),
        (["-b", "127.0.0.1:9092"], ["MEMESTREAM_CONFIG": "/tmp"]),
        (["-b", "127.0.0.1:9092", "-F", "/tmp"], [String: String]()),
    ])
    func directoryAsConfigFileIsUsageError(arguments: [String], environment: [String: String]) {
        #expect(throws: UsageError.self) {
            try WorkerConfiguration.load(commandLine: arguments, environment: environment)
        }
    }

    @Test(arguments: [
        (["--tick", "abc"], [String: String]()),
        ([], ["MEMESTREAM_TICK": "0"]),
        ([], ["MEMESTREAM_HTTP_PORT": "70000"]),
        ([], ["MEMESTREAM_HTTP_PORT": "-1"]),
        ([], ["MEMESTREAM_ALLOWED_LATENESS": "9223372036854775807"]),
        ([], ["MEMESTREAM_START_FROM": "yesterday"]),
        ([], ["MEMESTREAM_LOG_LEVEL": "loud"]),
        ([], ["MEMESTREAM_CHECKPOINT_STORE": "dir:"]),
        ([], ["MEMESTREAM_INPUT_TOPIC": "a b"]),
        (["-X", "=v"], [String: String]()),
        (["-X", "novalue"], [String: String]()),
        (["--max-poll-records", "99999999999999999999"], [String: String]()),
        (["--shutdown-timeout", "0"], [String: String]()),
        (["--engine-threads", "-1"], [String: String]()),
        (["--engine-threads", "65"], [String: String]()),
        ([], ["MEMESTREAM_ENGINE_THREADS": "two"]),
    ])
    func badValueIsUsageError(arguments: [String], environment: [String: String]) {
        #expect(throws: UsageError.self) {
            try WorkerConfiguration.load(commandLine: ["-b", "127.0.0.1:9092"] + arguments, environment: environment)
        }
    }

    @Test func configFileThatIsNotUTF8IsUsageError() throws {
        let scratch = try ReplayScratchDirectory()
        let path = try scratch.write("bad.conf", bytes: [0x74, 0x69, 0x63, 0x6B, 0x3D, 0xFF, 0xFE, 0x0A])
        #expect(throws: UsageError.self) {
            try WorkerConfiguration.load(commandLine: ["-b", "127.0.0.1:9092", "--config", path], environment: [:])
        }
    }

    /// A property librdkafka rejects when the worker creates its clients (here an unknown one) is
    /// a configuration error: exit status 2 and the reason, without a Swift type name or source path.
    @Test func rejectedKafkaPropertyExitsTwo() throws {
        let directory = makeTestDirectory("unknown-property")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try runMemestream(
            ["run", "-b", "127.0.0.1:1", "-X", "no.such=1", "--checkpoint-store", "dir:" + directory],
            timeoutSeconds: 60
        )
        let lastLine = result.standardError.split(separator: "\n").last.map(String.init) ?? ""
        #expect(result.status == 2, "\(result.standardError)")
        #expect(lastLine.contains("unknown Kafka property 'no.such'"), "\(lastLine)")
        #expect(!lastLine.contains("KafkaBridgeError"), "\(lastLine)")
        #expect(!lastLine.contains(".swift:"), "\(lastLine)")
    }
}
