import CRdKafka

/// A Kafka request type, by its protocol API key, for request-error injection.
public struct KafkaAPIKey: RawRepresentable, Hashable, Sendable {
    /// The protocol API key.
    public let rawValue: Int16

    public init(rawValue: Int16) {
        self.rawValue = rawValue
    }

    public static let produce = KafkaAPIKey(rawValue: 0)
    public static let fetch = KafkaAPIKey(rawValue: 1)
    public static let listOffsets = KafkaAPIKey(rawValue: 2)
    public static let metadata = KafkaAPIKey(rawValue: 3)
    public static let offsetCommit = KafkaAPIKey(rawValue: 8)
    public static let offsetFetch = KafkaAPIKey(rawValue: 9)
    public static let findCoordinator = KafkaAPIKey(rawValue: 10)
    public static let joinGroup = KafkaAPIKey(rawValue: 11)
    public static let heartbeat = KafkaAPIKey(rawValue: 12)
    public static let leaveGroup = KafkaAPIKey(rawValue: 13)
    public static let syncGroup = KafkaAPIKey(rawValue: 14)
    public static let initProducerID = KafkaAPIKey(rawValue: 22)
}

/// A librdkafka error code to inject into a mock broker's responses.
public struct KafkaResponseError: RawRepresentable, Hashable, Sendable {
    /// The `rd_kafka_resp_err_t` value.
    public let rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// Closes the connection instead of sending a response (`RD_KAFKA_RESP_ERR__TRANSPORT`).
    public static let transport = KafkaResponseError(rawValue: RD_KAFKA_RESP_ERR__TRANSPORT.rawValue)
    public static let notLeaderForPartition = KafkaResponseError(
        rawValue: RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION.rawValue
    )
    public static let leaderNotAvailable = KafkaResponseError(rawValue: RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE.rawValue)
    public static let requestTimedOut = KafkaResponseError(rawValue: RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT.rawValue)
    public static let notEnoughReplicas = KafkaResponseError(rawValue: RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS.rawValue)
    public static let notCoordinator = KafkaResponseError(rawValue: RD_KAFKA_RESP_ERR_NOT_COORDINATOR.rawValue)
    public static let coordinatorNotAvailable = KafkaResponseError(
        rawValue: RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE.rawValue
    )
    public static let unknownTopicOrPartition = KafkaResponseError(
        rawValue: RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART.rawValue
    )
}

/// An in-process Kafka cluster on loopback: librdkafka's mock cluster.
///
/// It speaks the Kafka protocol on `127.0.0.1` ports the kernel picks, so real clients connect
/// to ``bootstrapServers``. Broker ids are 1 through ``brokerCount``. It keeps at most about
/// 5 MiB per partition, has no controller (admin requests time out), no compaction and no
/// topic configs, and returns offset -1 for a look-up of offsets by timestamp (librdkafka 2.0.2).
///
/// Fault injection works only on the cluster object of this process. All methods are
/// thread-safe: they post requests to the mock cluster's own thread.
public final class MockCluster: @unchecked Sendable {
    /// The comma-separated `host:port` list of the brokers.
    public let bootstrapServers: String
    /// The number of brokers.
    public let brokerCount: Int

    private let cluster: OpaquePointer
    /// The plain client handle the mock cluster runs on; destroyed after the cluster.
    private let owner: RDKafkaClient

    /// Starts a cluster.
    ///
    /// - Parameters:
    ///   - brokers: The number of brokers, at least 1.
    ///   - logHandler: Receives the owning client's log lines.
    /// - Throws: A ``KafkaBridgeError`` when librdkafka cannot create the cluster.
    public init(brokers: Int = 3, logHandler: KafkaLogHandler? = nil) throws {
        guard (1...64).contains(brokers) else {
            throw KafkaBridgeError.configuration("invalid broker count \(brokers): expected 1 to 64")
        }
        var configuration = KafkaConfiguration(bootstrapServers: "")
        configuration.logHandler = logHandler
        owner = try RDKafkaClient(
            type: RD_KAFKA_PRODUCER,
            properties: [("client.id", "memestream-mock-cluster")],
            callbacks: RDKafkaCallbacks(configuration: configuration)
        )
        guard let cluster = rd_kafka_mock_cluster_new(owner.handle, Int32(brokers)) else {
            throw KafkaBridgeError.configuration("librdkafka could not start a mock cluster with \(brokers) brokers")
        }
        self.cluster = cluster
        brokerCount = brokers
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
    }

    /// Creates a topic (topics are also created on first produce, with 4 partitions).
    ///
    /// - Throws: A ``KafkaBridgeError`` naming the topic when it cannot be created.
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws {
        guard partitions >= 1, replicationFactor >= 1, replicationFactor <= brokerCount else {
            throw KafkaBridgeError.configuration(
                "invalid topic '\(name)': \(partitions) partitions and replication factor \(replicationFactor) on \(brokerCount) brokers; need at least 1 partition and a factor from 1 to the broker count"
            )
        }
        let code = rd_kafka_mock_topic_create(cluster, name, Int32(partitions), Int32(replicationFactor))
        try check(code, "creating mock topic '\(name)' with \(partitions) partitions")
    }

    /// Makes the next `errors.count` requests of type `apiKey` fail with these errors, in order,
    /// on whichever broker receives them.
    public func injectRequestErrors(_ apiKey: KafkaAPIKey, _ errors: [KafkaResponseError]) {
        let codes = errors.map { rd_kafka_resp_err_t(rawValue: $0.rawValue) }
        codes.withUnsafeBufferPointer { buffer in
            rd_kafka_mock_push_request_errors_array(cluster, apiKey.rawValue, buffer.count, buffer.baseAddress)
        }
    }

    /// Removes request errors still waiting to be injected for `apiKey`.
    public func clearRequestErrors(_ apiKey: KafkaAPIKey) {
        rd_kafka_mock_clear_request_errors(cluster, apiKey.rawValue)
    }

    /// Takes a broker down: its connections close and it accepts none until ``setBrokerUp(_:)``.
    public func setBrokerDown(_ brokerID: Int32) throws {
        try check(rd_kafka_mock_broker_set_down(cluster, brokerID), "taking mock broker \(brokerID) down")
    }

    /// Brings a broker back up on the same port.
    public func setBrokerUp(_ brokerID: Int32) throws {
        try check(rd_kafka_mock_broker_set_up(cluster, brokerID), "bringing mock broker \(brokerID) up")
    }

    /// Delays every response of a broker by `roundTripTime` (millisecond granularity).
    public func setRoundTripTime(_ roundTripTime: Duration, broker brokerID: Int32) throws {
        let code = rd_kafka_mock_broker_set_rtt(cluster, brokerID, roundTripTime.kafkaMilliseconds)
        try check(code, "setting the round-trip time of mock broker \(brokerID)")
    }

    /// Moves the leadership of a partition to a broker; clients learn it from their next
    /// metadata refresh.
    public func setPartitionLeader(topic: String, partition: Int32, broker brokerID: Int32) throws {
        let code = rd_kafka_mock_partition_set_leader(cluster, topic, partition, brokerID)
        try check(code, "moving the leader of \(topic)[\(partition)] to mock broker \(brokerID)")
    }

    /// Makes a broker the coordinator of a consumer group.
    public func setGroupCoordinator(group: String, broker brokerID: Int32) throws {
        let code = rd_kafka_mock_coordinator_set(cluster, "group", group, brokerID)
        try check(code, "making mock broker \(brokerID) the coordinator of group '\(group)'")
    }

    private func check(_ code: rd_kafka_resp_err_t, _ action: String) throws {
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaBridgeError.kafka(code, "\(action) failed")
        }
    }
}
