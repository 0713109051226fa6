/// The origin of a configuration value: a flag, a variable, a config-file key or the default.
/// Errors print it so that the user knows which one to change.
enum ConfigurationSource: Sendable, Hashable, CustomStringConvertible {
    /// A command-line flag, for example `--tick`.
    case flag(String)
    /// An environment variable, for example `MEMESTREAM_TICK`.
    case environment(String)
    /// A key of the `--config` file at a line.
    case file(path: String, key: String, line: Int)
    /// The built-in default.
    case defaultValue(String)

    var description: String {
        switch self {
        case .flag(let name): name
        case .environment(let variable): "environment variable \(variable)"
        case .file(let path, let key, let line): "key '\(key)' in config file \(path):\(line)"
        case .defaultValue(let option): "the default of --\(option)"
        }
    }
}
