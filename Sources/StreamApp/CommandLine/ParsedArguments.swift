import Aggregators

/// Command-line arguments parsed against a list of ``OptionSpec``s.
///
/// Accepts `--name value`, `--name=value`, `-n value`, and `--` to end options. Unknown options,
/// missing values and repeats of a non-repeatable option raise a ``UsageError`` that names the
/// option.
struct ParsedArguments {
    private(set) var values: [String: [String]] = [:]
    private(set) var flags: Set<String> = []
    /// Arguments that are not options, in order.
    private(set) var positional: [String] = []

    init(_ arguments: [String], specs: [OptionSpec], command: String) throws {
        var byName: [String: OptionSpec] = [:]
        var byShort: [Character: OptionSpec] = [:]
        for spec in specs {
            byName[spec.name] = spec
            for alias in spec.aliases { byName[alias] = spec }
            if let short = spec.shortName { byShort[short] = spec }
        }

        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if optionsEnded || !argument.hasPrefix("-") || argument == "-" {
                positional.append(argument)
                continue
            }
            if argument == "--" {
                optionsEnded = true
                continue
            }

            // Split "--name=value" and look the option up by long or short name.
            var inlineValue: String?
            let spec: OptionSpec
            if argument.hasPrefix("--") {
                var name = String(argument.dropFirst(2))
                if let equals = name.firstIndex(of: "=") {
                    inlineValue = String(name[name.index(after: equals)...])
                    name = String(name[..<equals])
                }
                guard let found = byName[name] else {
                    let suggestion = UnknownKeyMessage.closestKey(
                        to: name,
                        among: specs.flatMap { [$0.name] + $0.aliases }
                    )
                    let hint = suggestion.map { " (did you mean '--\($0)'?)" } ?? ""
                    throw UsageError(
                        "unknown option '--\(name)'\(hint); run 'memestream \(command) --help' for the list"
                    )
                }
                spec = found
            } else {
                let body = argument.dropFirst()
                guard body.count >= 1, let found = byShort[body.first!] else {
                    throw UsageError(
                        "unknown option '\(argument)'; run 'memestream \(command) --help' for the list"
                    )
                }
                spec = found
                if body.count > 1 { inlineValue = String(body.dropFirst()) }
            }

            if spec.isFlag {
                if inlineValue != nil {
                    throw UsageError("option '--\(spec.name)' takes no value")
                }
                flags.insert(spec.name)
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else {
                guard index < arguments.count else {
                    throw UsageError("option \(spec.quotedNames) needs a value (\(spec.valueName))")
                }
                value = arguments[index]
                index += 1
            }
            if !spec.isRepeatable, values[spec.name] != nil {
                throw UsageError("option \(spec.quotedNames) is given more than once")
            }
            values[spec.name, default: []].append(value)
        }
    }

    /// Returns the value of a single-valued option, or `nil` when it was not given.
    func value(_ name: String) -> String? {
        values[name]?.last
    }

    /// Returns every value of a repeatable option, in order.
    func allValues(_ name: String) -> [String] {
        values[name] ?? []
    }

    func isSet(_ name: String) -> Bool {
        flags.contains(name)
    }
}
