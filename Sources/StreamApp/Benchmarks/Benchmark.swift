/// One benchmark that `memestream bench NAME` runs. Each lives in its own file under
/// `Sources/StreamApp/Benchmarks` and is listed in ``BenchCommand/benchmarks``.
protocol Benchmark {
    /// The word that selects the benchmark, for example `decode`.
    static var name: String { get }
    /// One line for `memestream bench --help`.
    static var summary: String { get }
    /// Options the benchmark accepts besides `--help`.
    static var options: [OptionSpec] { get }

    /// Runs the benchmark and prints its figures, one `name: value unit` line each.
    static func run(_ arguments: ParsedArguments) async throws
}
