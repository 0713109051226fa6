/// One command-line option a subcommand accepts.
struct OptionSpec: Sendable {
    /// The long name without dashes, for example `bootstrap-servers`.
    var name: String
    /// The one-letter short name without the dash, for example `b`, or `nil`.
    var shortName: Character?
    /// `true` for flags that take no value (`--verbose`).
    var isFlag: Bool
    /// `true` when the option may be given more than once (`--topic a --topic b`).
    var isRepeatable: Bool
    /// A placeholder for the value in help text, for example `SERVERS`.
    var valueName: String
    /// One line for `--help`: what the option sets, its unit and its default.
    var help: String
    /// Other long names that mean the same option, without dashes. Values given under an alias
    /// are stored under ``name``.
    var aliases: [String] = []

    /// The option's long names for messages: `'--name'`, or `'--name' (also '--alias')`.
    var quotedNames: String {
        "'--\(name)'" + (aliases.isEmpty ? "" : " (also " + aliases.map { "'--\($0)'" }.joined(separator: ", ") + ")")
    }

    /// Returns the option with `names` added as aliases.
    func aliased(_ names: String...) -> OptionSpec {
        var copy = self
        copy.aliases += names
        return copy
    }

    static func value(
        _ name: String,
        short: Character? = nil,
        valueName: String = "VALUE",
        repeatable: Bool = false,
        help: String
    ) -> OptionSpec {
        OptionSpec(
            name: name,
            shortName: short,
            isFlag: false,
            isRepeatable: repeatable,
            valueName: valueName,
            help: help
        )
    }

    static func flag(_ name: String, short: Character? = nil, help: String) -> OptionSpec {
        OptionSpec(name: name, shortName: short, isFlag: true, isRepeatable: false, valueName: "", help: help)
    }
}
