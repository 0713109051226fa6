/// The three layers a `run` option may come from, looked up in precedence order:
/// command-line flags, then `MEMESTREAM_*` environment variables, then the `--config` file.
/// A layer that does not set an option falls through to the next; defaults come last and are
/// applied by the caller.
struct ConfigurationLayers {
    /// The prefix of every environment variable; `--input-topic` reads `MEMESTREAM_INPUT_TOPIC`.
    static let environmentPrefix = "MEMESTREAM_"

    let arguments: ParsedArguments
    let environment: [String: String]
    /// The path of the config file, or `nil` when none was given.
    let filePath: String?
    /// Config-file entries by key.
    let fileEntries: [String: PropertiesEntry]

    init(arguments: ParsedArguments, environment: [String: String], filePath: String?, fileEntries: [PropertiesEntry]) {
        self.arguments = arguments
        self.environment = environment
        self.filePath = filePath
        var byKey: [String: PropertiesEntry] = [:]
        for entry in fileEntries {
            byKey[entry.key] = entry
        }
        self.fileEntries = byKey
    }

    /// Returns the environment variable of a long option name.
    static func environmentVariable(for option: String) -> String {
        environmentPrefix + option.uppercased().replacingDashes()
    }

    /// Returns the value of `option` from the highest layer that sets it, with its source.
    /// An environment variable set to the empty string counts as unset, as most container
    /// platforms cannot unset a variable they inherit.
    func value(_ option: String, flagName: String? = nil) -> (text: String, source: ConfigurationSource)? {
        if let text = arguments.value(option) {
            return (text, .flag(flagName ?? "--\(option)"))
        }
        let variable = Self.environmentVariable(for: option)
        if let text = environment[variable], !text.isEmpty {
            return (text, .environment(variable))
        }
        if let entry = fileEntries[option], let filePath {
            return (entry.value, .file(path: filePath, key: option, line: entry.line))
        }
        return nil
    }
}

extension String {
    /// Returns the text with every `-` and `.` replaced by `_`.
    fileprivate func replacingDashes() -> String {
        String(map { $0 == "-" || $0 == "." ? "_" : $0 })
    }
}
