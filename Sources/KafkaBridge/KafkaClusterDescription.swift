/// One broker as cluster metadata lists it.
public struct KafkaBrokerDescription: Hashable, Sendable {
    /// The broker id.
    public var id: Int32
    /// The advertised host.
    public var host: String
    /// The advertised port.
    public var port: Int32
}

/// The brokers of a cluster and its identity, from a metadata request.
public struct KafkaClusterDescription: Hashable, Sendable {
    /// The cluster id, or `nil` when the broker does not report one.
    public var clusterID: String?
    /// The controller broker id, or `nil` when the cluster reports none.
    public var controllerID: Int32?
    /// The brokers, sorted by id.
    public var brokers: [KafkaBrokerDescription]
}

/// One partition of a topic as cluster metadata lists it.
public struct KafkaPartitionDescription: Hashable, Sendable {
    /// The partition.
    public var partition: KafkaPartition
    /// The leader broker id, or -1 when the partition has no leader.
    public var leader: Int32
    /// The broker ids of all replicas.
    public var replicas: [Int32]
    /// The broker ids of the in-sync replicas.
    public var inSyncReplicas: [Int32]
}

/// A topic as cluster metadata lists it.
public struct KafkaTopicDescription: Hashable, Sendable {
    /// The topic name.
    public var name: String
    /// The partitions, sorted by number.
    public var partitions: [KafkaPartitionDescription]
}

/// A topic to create with ``KafkaAdmin/createTopics(_:timeout:)``.
public struct KafkaNewTopic: Hashable, Sendable {
    /// The topic name.
    public var name: String
    /// The number of partitions, at least 1.
    public var partitions: Int
    /// The number of replicas per partition, at least 1.
    public var replicationFactor: Int
    /// Topic configs, for example `["cleanup.policy": "compact"]`.
    public var configs: [String: String]

    /// Creates a topic description.
    public init(name: String, partitions: Int, replicationFactor: Int, configs: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }
}
