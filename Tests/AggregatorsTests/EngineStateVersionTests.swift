import Aggregators
import Foundation
import StreamCore
import Testing

/// State written by an earlier format version restores to the engine the current version would
/// have encoded, and the restored engine goes on with the same output.
@Suite struct EngineStateVersionTests {
    /// `Fixtures/engine-state-v2.bin`, `engine-state-v3.bin` and `engine-state-v4.bin` contain the
    /// state of one engine after the first 200 of these events. The last builds that wrote format
    /// versions 2 (vectors as bytes), 3 (vectors as 128-bit hashes) and 4 (no feature set digest)
    /// wrote them.
    private static let events = syntheticEvents(seed: 61, count: 400, keys: 8)
    private static let fixturePoint = 200

    private func fixture(version: Int) throws -> [UInt8] {
        let file = "\(#filePath)"
        let path = String(file[..<file.lastIndex(of: "/")!]) + "/Fixtures/engine-state-v\(version).bin"
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    private func versionTwoState() throws -> [UInt8] { try fixture(version: 2) }

    private func formatVersion(of state: [UInt8]) -> UInt32 {
        state[4..<8].reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    @Test(arguments: [2, 3, 4])
    func earlierVersionRestoresToCurrentBytes(version: Int) throws {
        let old = try fixture(version: version)
        #expect(formatVersion(of: old) == UInt32(version))
        let driver = TestDriver()
        for event in Self.events.prefix(Self.fixturePoint) { driver.send(event.json) }
        let current = driver.engine(for: 0).encodeState()
        #expect(formatVersion(of: current) == PartitionEngine.stateFormatVersion)
        // Version 4 to 5 adds the 8-byte digest; earlier versions shrink the vectors.
        #expect(version == 4 ? current.count == old.count + 8 : current.count < old.count)

        let restored = try PartitionEngine(restoring: old, featureSet: .memeV1, configuration: EngineConfiguration())
        #expect(restored.encodeState() == current)
        #expect(restored.keyCount == driver.engine(for: 0).keyCount)
    }

    @Test func newerVersionNamesTheNewerBuild() throws {
        var state = try versionTwoState()
        state[4] = UInt8(PartitionEngine.stateFormatVersion + 1)
        let error = try #require(throws: StateDecodingError.self) {
            try PartitionEngine(restoring: state, featureSet: .memeV1, configuration: EngineConfiguration())
        }
        #expect("\(error)".contains("written by a newer memestream build"))
        #expect(error.isNewerFormat)
        state[4] = 0
        let damaged = try #require(throws: StateDecodingError.self) {
            try PartitionEngine(restoring: state, featureSet: .memeV1, configuration: EngineConfiguration())
        }
        #expect("\(damaged)".contains("never written by memestream"))
        #expect(!damaged.isNewerFormat)
        // The worker's message for such a checkpoint keeps the file and names both ways on.
        let checkpointError = CheckpointError(
            code: .newerStateFormat,
            key: CheckpointKey(group: "g", topic: "t", partition: 0),
            nextOffset: 10,
            source: "/ckpt/g/t/0.ckpt",
            detail: "the engine rejected the state: \(error)"
        )
        #expect(checkpointError.description.contains("the checkpoint is left as it is"))
        #expect(checkpointError.description.contains("--start-from warmup"))
    }

    @Test(arguments: [2, 3, 4])
    func earlierVersionContinuesSameOutput(version: Int) throws {
        let uninterrupted = PartitionEngine(partition: 0, featureSet: .memeV1, configuration: EngineConfiguration())
        var expected = LineCollectingSink()
        for (offset, event) in Self.events.enumerated() {
            if offset == Self.fixturePoint { expected.lines.removeAll() }
            uninterrupted.process(json: event.json, offset: offset, into: &expected)
        }
        #expect(expected.lines.count > 20)

        let restored = try PartitionEngine(
            restoring: try fixture(version: version),
            featureSet: .memeV1,
            configuration: EngineConfiguration()
        )
        var actual = LineCollectingSink()
        for (offset, event) in Self.events.enumerated().dropFirst(Self.fixturePoint) {
            restored.process(json: event.json, offset: offset, into: &actual)
        }
        #expect(actual.lines == expected.lines)
    }
}
