import Foundation
import KafkaBridge
import Testing

@testable import StreamApp

/// dev-cluster options that used to fail late, be ignored, or damage files outside the product.
@Suite struct DevClusterHardeningTests {
    private func parse(_ arguments: [String]) throws -> DevClusterCommand.Settings {
        try DevClusterCommand.settings(
            ParsedArguments(arguments, specs: DevClusterCommand.options, command: "dev-cluster")
        )
    }

    @Test func repeatedTopicIsUsageError() {
        #expect(throws: UsageError.self) { try parse(["--topic", "a:2", "--topic", "a:4"]) }
    }

    @Test func positionalArgumentIsUsageError() {
        #expect(throws: UsageError.self) { try parse(["extra"]) }
    }

    @Test(arguments: ["/dev/null", "/tmp"])
    func specialBootstrapFileIsUsageError(path: String) {
        #expect(throws: UsageError.self) { try parse(["--bootstrap-file", path]) }
    }

    @Test func newBootstrapFileIsAccepted() throws {
        let scratch = try ReplayScratchDirectory()
        let settings = try parse(["--bootstrap-file", scratch.file("bootstrap.txt"), "--topic", "a:2"])
        #expect(settings.bootstrapFile == scratch.file("bootstrap.txt"))
        #expect(settings.topics.map(\.name) == ["a"])
        #expect(settings.brokers == 3)
    }

    /// A second cluster given the first one's file replaced it and, on exit, deleted it while the
    /// first cluster still ran.
    @Test func bootstrapFileOfLiveBrokersIsUsageError() throws {
        let scratch = try ReplayScratchDirectory()
        let path = scratch.file("bootstrap.txt")
        let cluster = try MockCluster(brokers: 1)
        try (cluster.bootstrapServers + "\n").write(toFile: path, atomically: false, encoding: .utf8)
        let error = try #require(throws: UsageError.self) { try parse(["--bootstrap-file", path]) }
        #expect(error.message.contains("accept connections"), "\(error)")
        #expect(error.message.contains(cluster.bootstrapServers), "\(error)")
        withExtendedLifetime(cluster) {}
    }

    @Test func bootstrapFileOfStoppedBrokersIsReplaced() throws {
        let scratch = try ReplayScratchDirectory()
        let path = scratch.file("bootstrap.txt")
        // No test listens on ports 1 and 2. A stopped mock cluster's port could be taken by a test
        // running in parallel.
        try "127.0.0.1:1,127.0.0.1:2\n".write(toFile: path, atomically: false, encoding: .utf8)
        let settings = try parse(["--bootstrap-file", path])
        #expect(settings.bootstrapFile == path)
    }

    @Test(arguments: ["10.0.0.1:9092", "example.com:9092", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:x", ""])
    func probeSkipsOtherHostsAndBadValues(server: String) {
        #expect(!LoopbackProbe.acceptsConnections(server))
    }

    @Test func readBootstrapFileTakesFirstLine() throws {
        let scratch = try ReplayScratchDirectory()
        let path = scratch.file("bootstrap.txt")
        try "127.0.0.1:1,127.0.0.1:2\r\nrest\n".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(DevClusterCommand.readBootstrapFile(path) == "127.0.0.1:1,127.0.0.1:2")
        #expect(DevClusterCommand.readBootstrapFile(scratch.file("missing")) == nil)
    }

    /// Two clusters started at the same moment both passed the probe, and the file named one.
    @Test func lockedBootstrapFileRejectsSecondHolder() throws {
        let scratch = try ReplayScratchDirectory()
        let path = scratch.file("bootstrap.txt")
        var first: BootstrapFile? = try BootstrapFile(path: path)
        let error = try #require(throws: UsageError.self) { try BootstrapFile(path: path) }
        #expect(error.message.contains("held by another running dev-cluster"), "\(error)")
        try first?.write("127.0.0.1:1,127.0.0.1:2")
        #expect(DevClusterCommand.readBootstrapFile(path) == "127.0.0.1:1,127.0.0.1:2")
        try first?.write("127.0.0.1:3")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "127.0.0.1:3\n")
        first = nil
        let second = try BootstrapFile(path: path)
        withExtendedLifetime(second) {}
    }
}
