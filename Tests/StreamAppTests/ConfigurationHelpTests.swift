import Testing

@testable import StreamApp

/// A stand-in for the `run` subcommand, which the worker registers, so that the help text can
/// be rendered the way `memestream run --help` renders it.
private enum RunHelpProbe: Subcommand {
    static let name = "run"
    static let summary = "Run the streaming worker."
    static var options: [OptionSpec] { WorkerConfiguration.options }
    static var usage: String { WorkerConfiguration.usage }

    static func run(_ arguments: ParsedArguments) async throws -> Int32 { 0 }
}

@Suite struct ConfigurationHelpTests {
    @Test func helpTextListsEveryOption() {
        let text = RunHelpProbe.helpText()
        #expect(text.hasPrefix("usage: memestream run -b HOST:PORT [OPTIONS]"))
        for spec in WorkerConfiguration.options {
            #expect(text.contains("--\(spec.name) "), "help lacks --\(spec.name)")
        }
        #expect(text.contains("-F, --kafka-properties-file FILE"))
        #expect(text.contains("-X, --kafka-property KEY=VALUE"))
        #expect(text.contains("MEMESTREAM_<NAME>"))
    }
}
