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

    @Test(arguments: [10_000, 5_000, 1_000] as [Int64])
    func memeV1AcceptsDividingTick(tickMilliseconds: Int64) throws {
        let featureSet = try WorkerEngineBinding.featureSet(path: nil, tickMilliseconds: tickMilliseconds)
        #expect(featureSet.name == "meme_v1")
    }
}
