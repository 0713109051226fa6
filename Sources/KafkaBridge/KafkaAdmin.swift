import CRdKafka

/// Cluster administration: topic creation, topic configs and metadata.
///
/// Admin requests (``createTopics(_:timeout:)``, ``describeTopicConfigs(_:timeout:)``) go to the
/// cluster's controller. A cluster without a controller (librdkafka's mock cluster) never
/// responds to them, so each call waits at most its `timeout` and then throws a
/// ``KafkaBridgeError/Code/timedOut`` error. Metadata calls (``describeCluster(timeout:)``,
/// ``describeTopics(_:timeout:)``, ``partitionCount(topic:timeout:)``) work on any broker.
///
/// Thread safety: all methods may be called from any thread.
public final class KafkaAdmin: @unchecked Sendable {
    private let client: RDKafkaClient

    /// Creates an admin client.
    ///
    /// - Throws: A ``KafkaBridgeError`` naming an unknown or invalid property.
    public init(configuration: KafkaConfiguration) throws {
        client = try RDKafkaClient(
            type: RD_KAFKA_PRODUCER,
            properties: configuration.renderedProperties(for: .admin),
            callbacks: RDKafkaCallbacks(configuration: configuration)
        )
    }

    // MARK: - Admin requests

    /// Creates topics with partitions, replication and configs.
    ///
    /// - Throws: A ``KafkaBridgeError`` naming the first topic that failed, or a
    ///   ``KafkaBridgeError/Code/timedOut`` error when the controller does not respond within
    ///   `timeout`.
    public func createTopics(_ topics: [KafkaNewTopic], timeout: Duration = .seconds(10)) throws {
        var errorText = [CChar](repeating: 0, count: 512)
        var handles: [OpaquePointer?] = []
        defer {
            for handle in handles { rd_kafka_NewTopic_destroy(handle) }
        }
        for topic in topics {
            guard
                let handle = rd_kafka_NewTopic_new(
                    topic.name,
                    Int32(clamping: topic.partitions),
                    Int32(clamping: topic.replicationFactor),
                    &errorText,
                    errorText.count
                )
            else {
                throw KafkaBridgeError.configuration(
                    "invalid new topic '\(topic.name)' (\(topic.partitions) partitions, replication factor \(topic.replicationFactor)): \(String(errorBuffer: errorText))"
                )
            }
            handles.append(handle)
            for (name, value) in topic.configs.sorted(by: { $0.key < $1.key }) {
                let code = rd_kafka_NewTopic_set_config(handle, name, value)
                if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                    throw KafkaBridgeError.kafka(code, "setting config '\(name)' of new topic '\(topic.name)' failed")
                }
            }
        }

        let names = topics.map(\.name)
        try runAdminRequest(RD_KAFKA_ADMIN_OP_CREATETOPICS, "CreateTopics for \(names)", timeout: timeout) {
            options,
            queue in
            handles.withUnsafeMutableBufferPointer { buffer in
                rd_kafka_CreateTopics(client.handle, buffer.baseAddress, buffer.count, options, queue)
            }
        } readResult: { event in
            let result = rd_kafka_event_CreateTopics_result(event)
            var count = 0
            guard let results = rd_kafka_CreateTopics_result_topics(result, &count) else { return }
            for index in 0..<count {
                let topicResult = results[index]
                let code = rd_kafka_topic_result_error(topicResult)
                if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                    let name = String(cString: rd_kafka_topic_result_name(topicResult))
                    let reason = rd_kafka_topic_result_error_string(topicResult).map { String(cString: $0) } ?? ""
                    throw KafkaBridgeError.kafka(code, "creating topic '\(name)' failed (\(reason))")
                }
            }
        }
    }

    /// Reads the configs of a topic (for example `cleanup.policy`).
    ///
    /// - Throws: A ``KafkaBridgeError`` naming the topic, or a
    ///   ``KafkaBridgeError/Code/timedOut`` error when no response arrives within `timeout`.
    public func describeTopicConfigs(_ topic: String, timeout: Duration = .seconds(10)) throws -> [String: String] {
        let resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic)
        defer { rd_kafka_ConfigResource_destroy(resource) }
        var configs: [String: String] = [:]
        try runAdminRequest(RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, "DescribeConfigs for topic '\(topic)'", timeout: timeout)
        {
            options,
            queue in
            var resources: [OpaquePointer?] = [resource]
            resources.withUnsafeMutableBufferPointer { buffer in
                rd_kafka_DescribeConfigs(client.handle, buffer.baseAddress, buffer.count, options, queue)
            }
        } readResult: { event in
            let result = rd_kafka_event_DescribeConfigs_result(event)
            var count = 0
            guard let resources = rd_kafka_DescribeConfigs_result_resources(result, &count), count > 0 else { return }
            let described = resources[0]
            let code = rd_kafka_ConfigResource_error(described)
            if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaBridgeError.kafka(code, "describing configs of topic '\(topic)' failed")
            }
            var entryCount = 0
            guard let entries = rd_kafka_ConfigResource_configs(described, &entryCount) else { return }
            for index in 0..<entryCount {
                let name = String(cString: rd_kafka_ConfigEntry_name(entries[index]))
                configs[name] = rd_kafka_ConfigEntry_value(entries[index]).map { String(cString: $0) } ?? ""
            }
        }
        return configs
    }

    /// Starts one admin request on a private queue and waits for its result event, at most
    /// `timeout` plus one second (the request timeout is `timeout`).
    private func runAdminRequest(
        _ operation: rd_kafka_admin_op_t,
        _ description: String,
        timeout: Duration,
        start: (OpaquePointer?, OpaquePointer?) -> Void,
        readResult: (OpaquePointer) throws -> Void
    ) throws {
        let options = rd_kafka_AdminOptions_new(client.handle, operation)
        defer { rd_kafka_AdminOptions_destroy(options) }
        var errorText = [CChar](repeating: 0, count: 512)
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeout.kafkaMilliseconds, &errorText, errorText.count)
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, timeout.kafkaMilliseconds, &errorText, errorText.count)

        let queue = rd_kafka_queue_new(client.handle)
        defer { rd_kafka_queue_destroy(queue) }
        start(options, queue)

        let waitMilliseconds = Int32(clamping: Int64(timeout.kafkaMilliseconds) + 1_000)
        guard let event = rd_kafka_queue_poll(queue, waitMilliseconds) else {
            throw KafkaBridgeError.timedOut(
                "\(description) got no response within \(timeout); a cluster without a controller (such as librdkafka's mock cluster) cannot serve admin requests"
            )
        }
        defer { rd_kafka_event_destroy(event) }
        let code = rd_kafka_event_error(event)
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            let reason = rd_kafka_event_error_string(event).map { String(cString: $0) } ?? ""
            throw KafkaBridgeError.kafka(
                code,
                "\(description) failed (\(reason)); a cluster without a controller (such as librdkafka's mock cluster) cannot serve admin requests"
            )
        }
        try readResult(event)
    }

    // MARK: - Metadata

    /// Describes the brokers, the cluster id and the controller.
    ///
    /// - Throws: A ``KafkaBridgeError`` when no broker responds within `timeout`.
    public func describeCluster(timeout: Duration = .seconds(10)) throws -> KafkaClusterDescription {
        let brokers = try withMetadata(timeout: timeout) { metadata in
            (0..<Int(metadata.broker_cnt)).map { index in
                let broker = metadata.brokers[index]
                return KafkaBrokerDescription(id: broker.id, host: String(cString: broker.host), port: broker.port)
            }
        }
        var clusterID: String?
        if let pointer = rd_kafka_clusterid(client.handle, timeout.kafkaMilliseconds) {
            clusterID = String(cString: pointer)
            rd_kafka_mem_free(client.handle, pointer)
        }
        let controller = rd_kafka_controllerid(client.handle, timeout.kafkaMilliseconds)
        return KafkaClusterDescription(
            clusterID: clusterID,
            controllerID: controller >= 0 ? controller : nil,
            brokers: brokers.sorted { $0.id < $1.id }
        )
    }

    /// Describes topics and their partitions; `nil` describes every topic.
    ///
    /// Topics that do not exist are left out of the result; librdkafka does not create them.
    ///
    /// - Throws: A ``KafkaBridgeError`` when no broker responds within `timeout`.
    public func describeTopics(
        _ names: [String]? = nil,
        timeout: Duration = .seconds(10)
    ) throws
        -> [KafkaTopicDescription]
    {
        let wanted = names.map(Set.init)
        return try withMetadata(timeout: timeout) { metadata in
            var topics: [KafkaTopicDescription] = []
            for index in 0..<Int(metadata.topic_cnt) {
                let topic = metadata.topics[index]
                let name = String(cString: topic.topic)
                guard wanted?.contains(name) ?? true, topic.err == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
                var partitions: [KafkaPartitionDescription] = []
                for partitionIndex in 0..<Int(topic.partition_cnt) {
                    let partition = topic.partitions[partitionIndex]
                    partitions.append(
                        KafkaPartitionDescription(
                            partition: KafkaPartition(rawValue: partition.id),
                            leader: partition.leader,
                            replicas: Array(
                                UnsafeBufferPointer(start: partition.replicas, count: Int(partition.replica_cnt))
                            ),
                            inSyncReplicas: Array(
                                UnsafeBufferPointer(start: partition.isrs, count: Int(partition.isr_cnt))
                            )
                        )
                    )
                }
                topics.append(
                    KafkaTopicDescription(name: name, partitions: partitions.sorted { $0.partition < $1.partition })
                )
            }
            return topics.sorted { $0.name < $1.name }
        }
    }

    /// Returns the number of partitions of a topic, or `nil` when the topic does not exist.
    public func partitionCount(topic: String, timeout: Duration = .seconds(10)) throws -> Int? {
        try describeTopics([topic], timeout: timeout).first?.partitions.count
    }

    /// Requests metadata of all topics, hands it to `body` and frees it.
    private func withMetadata<Result>(
        timeout: Duration,
        _ body: (rd_kafka_metadata) throws -> Result
    ) throws -> Result {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let code = rd_kafka_metadata(client.handle, 1, nil, &metadata, timeout.kafkaMilliseconds)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw KafkaBridgeError.kafka(code, "metadata request failed within \(timeout); check bootstrap.servers")
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        return try body(metadata.pointee)
    }
}
