/// A `memestream` subcommand. Each lives in its own file and is listed in ``Subcommands/all``.
protocol Subcommand {
    /// The word that selects the subcommand, for example `replay`.
    static var name: String { get }
    /// One line for the top-level help.
    static var summary: String { get }
    /// The options the subcommand accepts, used for parsing and for `--help`.
    static var options: [OptionSpec] { get }
    /// Text printed by `--help` above the option list: usage line and a short description.
    static var usage: String { get }

    /// Returns the `--help` text for a command line whose other arguments are `arguments`.
    /// The default ignores them and returns ``helpText()``.
    static func helpText(for arguments: [String]) -> String

    /// Runs the subcommand and returns the process exit status.
    ///
    /// - Throws: ``UsageError`` for a usage or configuration error (exit status 2); any other
    ///   error is a runtime failure (exit status 1).
    static func run(_ arguments: ParsedArguments) async throws -> Int32
}

extension Subcommand {
    static func helpText(for arguments: [String]) -> String { helpText() }

    static func helpText() -> String { helpText(usage: usage, options: options) }

    /// Formats `usage`, then one line per option of `options` and the `--help` line.
    static func helpText(usage: String, options: [OptionSpec]) -> String {
        var lines = [usage, "", "Options:"]
        for spec in options {
            var head = "  "
            if let short = spec.shortName { head += "-\(short), " } else { head += "    " }
            head += "--\(spec.name)"
            if !spec.isFlag { head += " \(spec.valueName)" }
            if head.count < 34 {
                head += String(repeating: " ", count: 34 - head.count)
            } else {
                head += "\n" + String(repeating: " ", count: 34)
            }
            let aliases = spec.aliases.map { "--\($0)" }.joined(separator: ", ")
            lines.append(head + spec.help + (aliases.isEmpty ? "" : " Also \(aliases)."))
        }
        lines.append("  -h, --help                      Print this help and exit.")
        return lines.joined(separator: "\n")
    }
}
