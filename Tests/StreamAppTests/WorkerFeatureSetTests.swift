import Aggregators
import Testing

@testable import StreamApp

/// `run` checks the feature set against `--tick` before it joins the group, so a tick that does
/// not divide a hop is a usage error (exit status 2) instead of a failure at partition assignment.
@Suite struct WorkerFeatureSetTests {
    @Test(arguments: [7_000, 3_000, 0] as [Int64])
    func memeV1RejectsNonDividingTick(tickMilliseconds: Int64) {
        #expect(throws: UsageError.self) {
            _ = try WorkerEngineBinding.featureSet(path: nil, tickMilliseconds: tickMilliseconds)
        }
    }

    @Test func tickErrorNamesEnvironmentVariable() throws {
        let configuration = try WorkerConfiguration.load(
            commandLine: ["--bootstrap-servers", "127.0.0.1:1"],
            environment: ["MEMESTREAM_TICK": "7s"]
        )
        do {
            _ = try WorkerEngineBinding.featureSet(
                path: nil,
                tickMilliseconds: configuration.engine.tickMilliseconds,
                tickSource: configuration.tickSource
            )
            Issue.record("a 7 s tick was accepted for meme_v1")
        } catch let error as UsageError {
            #expect(error.message.contains("MEMESTREAM_TICK"), "\(error.message)")
        }
    }

    @Test(arguments: [10_000, 5_000, 1_000] as [Int64])
    func memeV1AcceptsDividingTick(tickMilliseconds: Int64) throws {
        let featureSet = try WorkerEngineBinding.featureSet(path: nil, tickMilliseconds: tickMilliseconds)
        #expect(featureSet.name == "meme_v1")
    }
}
