import Testing

@testable import StreamCore

#if canImport(Glibc)
import Glibc
#endif

@Suite struct CheckpointCodecTests {
    static let key = CheckpointKey(group: "memestream", topic: "memes.events", partition: 3)

    /// The state the golden file holds: a fixed, compressible, non-trivial byte pattern.
    static let goldenState: [UInt8] = (0..<5_000).map { UInt8(truncatingIfNeeded: ($0 * 31) ^ ($0 >> 3)) }

    static let golden = Checkpoint(
        key: key,
        nextOffset: 12_345,
        maxEventTime: EventTime(rawValue: 1_700_000_123_456),
        lastTick: EventTime(rawValue: 1_700_000_110_000),
        createdAtMilliseconds: 1_700_000_200_000,
        state: goldenState
    )

    @Test(arguments: [
        ("", UInt32(0)),
        ("123456789", UInt32(0xE306_9283)),
        ("a", UInt32(0xC1D0_4330)),
    ])
    func crc32cKnownVectors(input: String, expected: UInt32) {
        #expect(CRC32C.checksum(Array(input.utf8)) == expected)
    }

    @Test func crc32cContinues() {
        let whole = Array("123456789".utf8)
        let first = whole.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<4])) }
        let both = whole.withUnsafeBytes {
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[4...]), continuing: first)
        }
        #expect(both == 0xE306_9283)
    }

    /// The golden checkpoint with the cluster id that format version 2 adds.
    static var goldenVersion2: Checkpoint {
        var checkpoint = golden
        checkpoint.clusterID = "mockCluster15706d3634a8"
        return checkpoint
    }

    @Test func roundTrip() throws {
        let bytes = try CheckpointCodec.encode(Self.golden)
        #expect(Array(bytes[0..<4]) == CheckpointCodec.magic)
        #expect(bytes.count < Self.goldenState.count)
        let decoded = try CheckpointCodec.decode(bytes, expecting: Self.key, source: "test")
        #expect(decoded == Self.golden)
    }

    /// The golden checkpoint with the last record's fingerprint that format version 3 adds.
    static var goldenVersion3: Checkpoint {
        var checkpoint = goldenVersion2
        checkpoint.lastRecord = RecordFingerprint(
            timestampMilliseconds: 1_700_000_123_400,
            keyLength: 5,
            valueLength: 97
        )
        return checkpoint
    }

    @Test func roundTripWithClusterID() throws {
        let bytes = try CheckpointCodec.encode(Self.goldenVersion2)
        #expect(bytes[4] == 3)
        let decoded = try CheckpointCodec.decode(bytes, expecting: Self.key, source: "test")
        #expect(decoded == Self.goldenVersion2)
        #expect(decoded.clusterID == "mockCluster15706d3634a8")
    }

    @Test func roundTripWithoutTimes() throws {
        var checkpoint = Self.golden
        checkpoint.maxEventTime = nil
        checkpoint.lastTick = nil
        checkpoint.state = []
        let decoded = try CheckpointCodec.decode(CheckpointCodec.encode(checkpoint), expecting: Self.key, source: "t")
        #expect(decoded == checkpoint)
    }

    /// Restores the version-1 golden file written by an earlier build: it has no cluster id.
    @Test func goldenVersion1Restores() throws {
        let path = checkpointFixtures + "/checkpoint-v1.bin"
        let bytes = try #require(readFileBytes(path))
        #expect(bytes[4] == 1)
        let decoded = try CheckpointCodec.decode(bytes, expecting: Self.key, source: path)
        #expect(decoded == Self.golden)
        #expect(decoded.clusterID == nil)
    }

    /// Restores the version-2 golden file written by an earlier build: it has no last record.
    @Test func goldenVersion2Restores() throws {
        let path = checkpointFixtures + "/checkpoint-v2.bin"
        let bytes = try #require(readFileBytes(path))
        #expect(bytes[4] == 2)
        let decoded = try CheckpointCodec.decode(bytes, expecting: Self.key, source: path)
        #expect(decoded == Self.goldenVersion2)
        #expect(decoded.lastRecord == nil)
    }

    /// Restores the version-3 golden file. Regenerate it only when adding a new version, and then
    /// add a golden file for that version: `MEMESTREAM_WRITE_GOLDEN=1 swift test --filter
    /// CheckpointCodecTests`.
    @Test func goldenVersion3Restores() throws {
        let path = checkpointFixtures + "/checkpoint-v3.bin"
        if getenv("MEMESTREAM_WRITE_GOLDEN") != nil {
            writeFileBytes(path, try CheckpointCodec.encode(Self.goldenVersion3))
        }
        let bytes = try #require(readFileBytes(path))
        #expect(bytes[4] == 3)
        let decoded = try CheckpointCodec.decode(bytes, expecting: Self.key, source: path)
        #expect(decoded == Self.goldenVersion3)
        // Without a record timestamp too.
        var untimed = Self.goldenVersion3
        untimed.lastRecord?.timestampMilliseconds = nil
        let roundTrip = try CheckpointCodec.decode(CheckpointCodec.encode(untimed), expecting: Self.key, source: "t")
        #expect(roundTrip == untimed)
    }

    @Test func flippedByteIsChecksumMismatch() throws {
        var bytes = try CheckpointCodec.encode(Self.golden)
        bytes[bytes.count - 10] ^= 0x40
        let error = try #require(throws: CheckpointError.self) {
            try CheckpointCodec.decode(bytes, expecting: Self.key, source: "test")
        }
        guard case .checksumMismatch = error.code else {
            Issue.record("expected a checksum mismatch, got \(error.code)")
            return
        }
        #expect(error.nextOffset == 12_345)
        #expect(error.description.contains("memestream/memes.events/3"))
        #expect(error.description.contains("next offset 12345"))
        #expect(error.description.contains("--start-from"))
    }

    @Test(arguments: [0, 3, 5, 9, 40, 100])
    func truncationIsReported(keep: Int) throws {
        let bytes = try CheckpointCodec.encode(Self.golden)
        let error = try #require(throws: CheckpointError.self) {
            try CheckpointCodec.decode(Array(bytes[0..<keep]), expecting: Self.key, source: "test")
        }
        #expect(error.code == .truncated || error.code == .invalidHeader)
        #expect(error.key == Self.key)
    }

    @Test func unknownVersionIsReported() throws {
        var bytes = try CheckpointCodec.encode(Self.golden)
        bytes[4] = 9
        let error = try #require(throws: CheckpointError.self) {
            try CheckpointCodec.decode(bytes, expecting: Self.key, source: "test")
        }
        #expect(error.code == .unknownVersion(9))
        #expect(error.description.contains("format version 9 was written by a newer memestream build"))
        // A newer build's checkpoint is a configuration error (exit 2), and the advice is the
        // newer build's, not to restore a good copy.
        #expect(error.isConfigurationError)
        #expect(error.description.contains("Run the newer build for this group"))
        #expect(!error.description.contains("Restore a good copy"))
    }

    @Test func versionZeroIsDamage() throws {
        var bytes = try CheckpointCodec.encode(Self.golden)
        bytes[4] = 0
        let error = try #require(throws: CheckpointError.self) {
            try CheckpointCodec.decode(bytes, expecting: Self.key, source: "test")
        }
        #expect(error.description.contains("format version 0 was never written by memestream"))
        #expect(!error.isConfigurationError)
    }

    @Test func checksumErrorMarksOffsetUnverified() throws {
        var bytes = try CheckpointCodec.encode(Self.golden)
        bytes[bytes.count - 1] ^= 0xFF
        let error = try #require(throws: CheckpointError.self) {
            try CheckpointCodec.decode(bytes, expecting: Self.key, source: "test")
        }
        #expect(error.description.contains("next offset 12345 by its unverified header"))
    }

    @Test func badMagicIsReported() throws {
        var bytes = try CheckpointCodec.encode(Self.golden)
        bytes[0] = 0x00
        let error = try #require(throws: CheckpointError.self) {
            try CheckpointCodec.decode(bytes, expecting: Self.key, source: "test")
        }
        #expect(error.code == .badMagic)
    }

    @Test func otherPartitionIsRejected() throws {
        let bytes = try CheckpointCodec.encode(Self.golden)
        let other = CheckpointKey(group: "memestream", topic: "memes.events", partition: 4)
        let error = try #require(throws: CheckpointError.self) {
            try CheckpointCodec.decode(bytes, expecting: other, source: "test")
        }
        #expect(error.code == .otherPartition)
        // Restarting cannot help a misplaced checkpoint, so it is a configuration error (exit 2).
        #expect(error.isConfigurationError)
        #expect(error.description.contains("memestream/memes.events/3"))
        #expect(error.description.contains("another group, topic or partition"))

        // A group that differs only in its Unicode spelling is another group.
        var composed = Self.golden
        composed.key.group = "caf\u{E9}"
        let decomposed = CheckpointKey(group: "cafe\u{301}", topic: "memes.events", partition: 3)
        let spelled = try #require(throws: CheckpointError.self) {
            try CheckpointCodec.decode(CheckpointCodec.encode(composed), expecting: decomposed, source: "test")
        }
        #expect(spelled.code == .otherPartition)
    }
}
