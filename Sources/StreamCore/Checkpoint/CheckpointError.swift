/// A checkpoint that could not be written or read back.
///
/// A checkpoint that fails to decode is never skipped: the worker stops the partition and the
/// message names the partition, the offset and the choices an operator has.
public struct CheckpointError: Error, Sendable, CustomStringConvertible {
    /// The failure kinds, a closed set so callers and tests can switch on it.
    public enum Code: Sendable, Hashable {
        /// The bytes end before the structure they declare is complete, or a file's size differs
        /// from the lengths it declares.
        case truncated
        /// The magic bytes do not identify a memestream checkpoint.
        case badMagic
        /// The format version is not one this build reads.
        case unknownVersion(UInt16)
        /// The stored CRC-32C does not match the bytes.
        case checksumMismatch(stored: UInt32, computed: UInt32)
        /// The header parsed but names another partition, or contains an impossible value.
        case invalidHeader
        /// zstd rejected the payload.
        case decompressionFailed
        /// A chunked snapshot in a Kafka store is incomplete or inconsistent with its manifest.
        case incompleteSnapshot
        /// The store failed to write or read (I/O error, broker error).
        case storeFailure
        /// The input partition's log ends before the checkpoint's next offset: the topic was
        /// recreated or truncated, so the checkpoint belongs to another log.
        case aheadOfLog
        /// A newer build wrote the engine state in a format version this build cannot read. The
        /// checkpoint is not damaged.
        case newerStateFormat
        /// The checkpoint was written against another Kafka cluster than the one the worker reads
        /// from, so its offsets belong to another log.
        case otherCluster
        /// The engine state is intact but was written for another feature set, or for another
        /// definition of the running set under the same name and version.
        case otherFeatureSet
        /// The bytes are an intact checkpoint of another group, topic or partition: a file copied
        /// or renamed into this partition's place.
        case otherPartition
    }

    public var code: Code
    /// The partition the checkpoint was read for.
    public var key: CheckpointKey
    /// The next input offset the checkpoint declares, when the header was readable.
    public var nextOffset: Int64?
    /// The origin of the bytes: a file path or `topic[partition]@offset`.
    public var source: String
    /// The specific fault, with the values involved.
    public var detail: String

    public init(code: Code, key: CheckpointKey, nextOffset: Int64?, source: String, detail: String) {
        self.code = code
        self.key = key
        self.nextOffset = nextOffset
        self.source = source
        self.detail = detail
    }

    /// `true` when the checkpoint belongs to another setup: another cluster, another log, another
    /// definition of the feature set, another partition or group, or a newer build. Restarting the same worker cannot help,
    /// so the worker exits with the configuration-error status (2), and a supervisor that stops
    /// on it (systemd's `RestartPreventExitStatus=2`) does not restart it into a rebalance loop.
    public var isConfigurationError: Bool {
        switch code {
        case .otherCluster, .otherFeatureSet, .otherPartition, .aheadOfLog, .newerStateFormat: true
        case .unknownVersion(let version): version > CheckpointCodec.readableVersions.max() ?? 0
        default: false
        }
    }

    public var description: String {
        var offset = nextOffset.map { "next offset \($0)" } ?? "next offset unknown"
        switch code {
        case .truncated, .checksumMismatch:
            // The checksum covers the header, so a damaged file's offset is only what it claims.
            if nextOffset != nil { offset += " by its unverified header" }
        default:
            break
        }
        switch code {
        case .storeFailure:
            return "checkpoint store failed for partition \(key) (\(offset)) at \(source): \(detail)"
        case .otherCluster:
            return "checkpoint for partition \(key) (\(offset)) at \(source) is unusable: \(detail). "
                + "The partition was not started, and the checkpoint is left as it is. If the worker should "
                + "read the other cluster, correct --bootstrap-servers; if this cluster replaced it (a new "
                + "dev cluster, for instance), every checkpoint of the group is stale: empty the checkpoint "
                + "store (the directory of --checkpoint-store dir:PATH) and start again."
        case .aheadOfLog:
            return "checkpoint for partition \(key) (\(offset)) at \(source) is unusable: \(detail). "
                + "The partition was not started. If the topic or the whole cluster was recreated, every "
                + "checkpoint of its partitions is stale: empty the checkpoint store (the directory of "
                + "--checkpoint-store dir:PATH) and start again."
        case .otherFeatureSet:
            return "checkpoint for partition \(key) (\(offset)) at \(source) is unusable: \(detail). "
                + "The partition was not started, and the checkpoint is left as it is. Run the feature set "
                + "the checkpoint was written with, or run the changed set under a new version and a new "
                + "--group, whose state is rebuilt from --start-from (docs/worker.md, \"Changing the feature "
                + "set\")."
        case .otherPartition:
            return "checkpoint for partition \(key) (\(offset)) at \(source) is unusable: \(detail). "
                + "The partition was not started, and the checkpoint is left as it is. It was copied or "
                + "renamed from another group, topic or partition: put it back where that partition's "
                + "checkpoints live, or delete it to rebuild this partition's state from --start-from."
        case .newerStateFormat,
            .unknownVersion where isConfigurationError:
            return "checkpoint for partition \(key) (\(offset)) at \(source) is unusable by this build: \(detail). "
                + "The partition was not started, and the checkpoint is left as it is. Run the newer build "
                + "for this group. To go back to this build anyway, delete the group's checkpoints and "
                + "rebuild the state with --start-from warmup (docs/checkpoints.md, \"Engine state versions\")."
        default:
            return "checkpoint for partition \(key) (\(offset)) at \(source) is unusable: \(detail). "
                + "The partition was not started. Restore a good copy of the checkpoint, or delete it "
                + "to rebuild the state from --start-from (state before that point is then lost)."
        }
    }
}
