import Foundation
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
}
