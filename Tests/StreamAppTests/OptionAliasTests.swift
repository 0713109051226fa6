import Testing

@testable import StreamApp

/// `run` names its librdkafka options `--kafka-properties-file` and `--kafka-property`, `replay` and
/// `generate` name them `--properties-file` and `--property`; every command takes both spellings.
@Suite struct OptionAliasTests {
    private static let commands: [(name: String, specs: [OptionSpec])] = [
        ("run", WorkerConfiguration.options),
        ("replay", ReplayOptions.specs),
        ("generate", GenerateCommand.options),
    ]

    @Test(arguments: commands.indices)
    func bothSpellingsReachTheSameOption(_ index: Int) throws {
        let (command, specs) = Self.commands[index]
        let fileName = specs.first { $0.shortName == "F" }!.name
        let propertyName = specs.first { $0.shortName == "X" }!.name
        for (file, property) in [
            ("--properties-file", "--property"), ("--kafka-properties-file", "--kafka-property"),
        ] {
            let parsed = try ParsedArguments(
                [file, "client.properties", property, "acks=all", "--property=linger.ms=5"],
                specs: specs,
                command: command
            )
            #expect(parsed.allValues(fileName) == ["client.properties"], "\(command) \(file)")
            #expect(parsed.allValues(propertyName) == ["acks=all", "linger.ms=5"], "\(command) \(property)")
        }
    }

    @Test func helpNamesTheOtherSpelling() {
        #expect(ReplayCommand.helpText().contains("Also --kafka-properties-file."))
        #expect(ReplayCommand.helpText().contains("Also --kafka-property."))
    }

    /// Values given under either spelling collect under one option, in order; `-F` is
    /// repeatable in every command, later files winning.
    @Test func anAliasAndItsNameCountAsOneOption() throws {
        let merged = try ParsedArguments(
            ["--properties-file", "a", "--kafka-properties-file", "b"],
            specs: ReplayOptions.specs,
            command: "replay"
        )
        #expect(merged.allValues("properties-file") == ["a", "b"])
    }

    /// Messages about an option name both spellings, since the user may have typed either.
    @Test func aliasedNameInMessages() {
        let spec = ReplayOptions.specs.first { $0.name == "properties-file" }!
        #expect(spec.quotedNames == "'--properties-file' (also '--kafka-properties-file')")
    }

    @Test func misspelledAliasGetsASuggestion() throws {
        let error = try #require(throws: UsageError.self) {
            try ParsedArguments(["--kafka-propertie", "a=b"], specs: ReplayOptions.specs, command: "replay")
        }
        #expect(error.description.contains("did you mean '--kafka-property'?"), "\(error)")
    }
}
