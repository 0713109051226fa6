import KafkaBridge
import StreamCore

#if canImport(Glibc)
import Glibc
#endif

/// Dispatches `memestream SUBCOMMAND [OPTIONS]` and maps errors to exit statuses:
/// 0 success, 2 usage or configuration error (a Kafka configuration property included), 1 runtime
/// failure.
func topLevelHelp() -> String {
    var lines = [
        "usage: memestream SUBCOMMAND [OPTIONS]",
        "",
        "Event-time windowed features for memes, from Kafka to a compacted feature topic.",
        "",
        "Subcommands:",
    ]
    for command in Subcommands.all {
        let padding = String(repeating: " ", count: max(1, 17 - command.name.count))
        lines.append("  " + command.name + padding + command.summary)
    }
    lines.append("")
    lines.append("Run 'memestream SUBCOMMAND --help' for the options of one subcommand.")
    return lines.joined(separator: "\n")
}

AllocatorSettings.apply()
let arguments = Array(CommandLine.arguments.dropFirst())
guard let first = arguments.first, first != "-h", first != "--help", first != "help" else {
    print(topLevelHelp())
    exit(arguments.isEmpty ? 2 : 0)
}
guard let command = Subcommands.all.first(where: { $0.name == first }) else {
    printError("memestream: unknown subcommand '\(first)'\n\n" + topLevelHelp())
    exit(2)
}
let rest = Array(arguments.dropFirst())
if rest.contains("-h") || rest.contains("--help") {
    print(command.helpText(for: rest))
    exit(0)
}

do {
    let parsed = try ParsedArguments(rest, specs: command.options, command: command.name)
    let status = try await command.run(parsed)
    exit(status)
} catch let error as UsageError {
    printError("memestream \(command.name): \(error.message)")
    exit(2)
} catch let error as KafkaBridgeError {
    printError("memestream \(command.name): \(errorText(error))")
    exit(error.isConfigurationError ? 2 : 1)
} catch let error as CheckpointError {
    printError("memestream \(command.name): \(error)")
    exit(error.isConfigurationError ? 2 : 1)
} catch let error as CheckpointStoreSetupError {
    // A checkpoint directory that cannot be created is a setting to change, like --checkpoint-store.
    printError("memestream \(command.name): \(error)")
    exit(2)
} catch {
    printError("memestream \(command.name): \(error)")
    exit(1)
}
