/// `memestream bench NAME [OPTIONS]`: runs one benchmark and prints its figures.
enum BenchCommand: Subcommand {
    static let name = "bench"
    static let summary = "Run a benchmark (decode, replay, kafka, ...) and print its figures."

    /// Every benchmark, in the order help lists them.
    static var benchmarks: [any Benchmark.Type] {
        [
            KafkaBenchmark.self,
            DecodeBenchmark.self,
            MetricsBenchmark.self,
            EngineBenchmark.self,
            ReplayBenchmark.self,
            GenerateBenchmark.self,
            WorkerBenchmark.self,
        ]
    }

    static var options: [OptionSpec] {
        var all: [OptionSpec] = []
        var seen: Set<String> = []
        for benchmark in benchmarks {
            for spec in benchmark.options where !seen.contains(spec.name) {
                seen.insert(spec.name)
                all.append(spec)
            }
        }
        return all
    }

    static var usage: String {
        var lines = ["usage: memestream bench NAME [OPTIONS]", "", "Benchmarks:"]
        for benchmark in benchmarks {
            let padding = String(repeating: " ", count: max(1, 17 - benchmark.name.count))
            lines.append("  " + benchmark.name + padding + benchmark.summary)
        }
        return lines.joined(separator: "\n")
    }

    /// Returns the help text. When `arguments` name a benchmark, the first one named decides, and
    /// only its options are listed.
    static func helpText(for arguments: [String]) -> String {
        var named: (any Benchmark.Type)?
        for argument in arguments where named == nil {
            named = benchmarks.first { $0.name == argument }
        }
        guard let benchmark = named else {
            // Options differ per benchmark, and so do the defaults of shared names like --events.
            return helpText(
                usage: usage + "\n\nEach benchmark has its own options: memestream bench NAME --help",
                options: []
            )
        }
        let usage = "usage: memestream bench \(benchmark.name) [OPTIONS]\n\n\(benchmark.summary)"
        return helpText(usage: usage, options: benchmark.options)
    }

    static func run(_ arguments: ParsedArguments) async throws -> Int32 {
        guard let name = arguments.positional.first else {
            throw UsageError(
                "missing benchmark name; expected one of \(benchmarks.map { $0.name }.joined(separator: ", "))"
            )
        }
        guard let benchmark = benchmarks.first(where: { $0.name == name }) else {
            throw UsageError(
                "unknown benchmark '\(name)'; expected one of \(benchmarks.map { $0.name }.joined(separator: ", "))"
            )
        }
        // The parser accepts the options of every benchmark; reject the ones this one ignores.
        let accepted = Set(benchmark.options.map(\.name))
        for name in (Array(arguments.values.keys) + Array(arguments.flags)).sorted() where !accepted.contains(name) {
            throw UsageError(
                "option '--\(name)' does not apply to 'bench \(benchmark.name)'; "
                    + "run 'memestream bench \(benchmark.name) --help' for its options"
            )
        }
        try await benchmark.run(arguments)
        return 0
    }
}
