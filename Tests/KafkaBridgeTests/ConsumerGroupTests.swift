import KafkaBridge
import Synchronization
import Testing

/// A group of three consumers on one six-partition topic: join, split, leave.
///
/// The mock cluster delays every rebalance by `session.timeout.ms` − 1 s, so these tests use a
/// 6 s session and take tens of seconds each.
@Suite struct ConsumerGroupTests {
    /// The partitions one member owns according to its rebalance events.
    final class OwnedPartitions: Sendable {
        let set = Mutex<Set<KafkaPartition>>([])
    }

    /// One member of the group with the assignment its rebalance events describe.
    final class Member: Sendable {
        let consumer: KafkaConsumer
        let events = Recorder<KafkaRebalanceEvent>()
        let owned = OwnedPartitions()
        let commitFailures = Recorder<KafkaBridgeError>()

        init(_ configuration: KafkaConfiguration, topic: String) throws {
            let events = events
            let owned = owned
            let commitFailures = commitFailures
            consumer = try KafkaConsumer(
                configuration: configuration,
                rebalanceHandler: { event, consumer in
                    events.append(event)
                    let partitions = Set(event.partitions.map(\.partition))
                    switch event.kind {
                    case .assigned:
                        owned.set.withLock { $0.formUnion(partitions) }
                    case .revoked, .lost:
                        // Checkpoint before the revocation completes: commit the positions.
                        do {
                            let positions = try consumer.position(event.partitions).filter { $0.offset.isConcrete }
                            if !positions.isEmpty { try consumer.commit(positions) }
                        } catch {
                            commitFailures.append(error as! KafkaBridgeError)
                        }
                        owned.set.withLock { $0.subtract(partitions) }
                    }
                }
            )
            try consumer.subscribe(topics: [topic])
        }

        var partitions: Set<KafkaPartition> { owned.set.withLock { $0 } }
    }

    static func splitIsComplete(_ members: [Member], partitionCount: Int) -> Bool {
        let sets = members.map(\.partitions)
        let total = sets.reduce(0) { $0 + $1.count }
        let union = sets.reduce(into: Set<KafkaPartition>()) { $0.formUnion($1) }
        let balanced = sets.allSatisfy { abs($0.count - partitionCount / members.count) <= 1 }
        return total == partitionCount && union.count == partitionCount && balanced
    }

    @Test(arguments: [KafkaAssignmentStrategy.cooperativeSticky, .range])
    func groupSplitsPartitionsAndRebalances(strategy: KafkaAssignmentStrategy) throws {
        let cluster = try MockCluster(brokers: 1)
        let topic = KafkaTestSupport.topicName("group-\(strategy.rawValue)")
        try cluster.createTopic(topic, partitions: 6)
        let producer = try KafkaProducer(configuration: KafkaTestSupport.configuration(cluster))
        for index in 0..<60 {
            try producer.send(topic: topic, partition: KafkaPartition(rawValue: Int32(index % 6)), key: nil, value: [1])
        }
        try producer.flush(timeout: .seconds(10))
        let configuration = KafkaTestSupport.configuration(cluster, group: topic, strategy: strategy)

        // One member gets every partition.
        let first = try Member(configuration, topic: topic)
        #expect(try KafkaTestSupport.pollUntil([first.consumer]) { first.partitions.count == 6 })
        #expect(Set(try first.consumer.assignment().map(\.partition)) == first.partitions)

        // A second and a third member join; the group splits 3/3 and then 2/2/2.
        let second = try Member(configuration, topic: topic)
        var members = [first, second]
        #expect(
            try KafkaTestSupport.pollUntil(members.map(\.consumer)) { Self.splitIsComplete(members, partitionCount: 6) }
        )
        let third = try Member(configuration, topic: topic)
        members.append(third)
        #expect(
            try KafkaTestSupport.pollUntil(members.map(\.consumer)) { Self.splitIsComplete(members, partitionCount: 6) }
        )
        for member in members {
            #expect(member.partitions.count == 2)
            #expect(Set(try member.consumer.assignment().map(\.partition)) == member.partitions)
        }

        // The join revoked partitions from the first member: only the moved ones with the
        // cooperative protocol, the whole assignment with the eager one.
        let firstRevocations = first.events.values.filter { $0.kind == .revoked }
        #expect(!firstRevocations.isEmpty)
        #expect(first.events.values.allSatisfy { $0.isCooperative == (strategy == .cooperativeSticky) })
        if strategy == .cooperativeSticky {
            #expect(firstRevocations.allSatisfy { $0.partitions.count < 6 })
            #expect(firstRevocations.first?.partitions.count == 3)
        } else {
            #expect(firstRevocations.first?.partitions.count == 6)
        }

        // The third member leaves: its close delivers the final revocation, and the others
        // take over its partitions.
        let leaving = third.partitions
        try third.consumer.close()
        #expect(third.partitions.isEmpty)
        #expect(third.events.values.last?.kind == .revoked)
        #expect(Set(third.events.values.last?.partitions.map(\.partition) ?? []) == leaving)
        members.removeLast()
        #expect(
            try KafkaTestSupport.pollUntil(members.map(\.consumer)) { Self.splitIsComplete(members, partitionCount: 6) }
        )
        for member in members {
            try member.consumer.close()
        }
        // The mock cluster rejects commits while the group is joining or syncing. Eager
        // revocations always run then; cooperative ones can too when a member is slow to rejoin
        // on a loaded machine. Only retriable rebalance errors are allowed, and the worker
        // retries such a commit in its next round.
        for member in members + [third] {
            for failure in member.commitFailures.values {
                #expect(failure.rdKafkaCodeName == "REBALANCE_IN_PROGRESS", "\(failure)")
                #expect(failure.isRetriable)
            }
        }
        try producer.close(timeout: .seconds(5))
    }
}

/// A member that the coordinator has removed loses its partitions without a clean revoke.
@Suite struct LostAssignmentTests {
    @Test func fencedMemberReportsLostThenRejoins() throws {
        let cluster = try MockCluster(brokers: 1)
        let topic = KafkaTestSupport.topicName("lost")
        try cluster.createTopic(topic, partitions: 2)
        let events = Recorder<KafkaRebalanceEvent>()
        let consumer = try KafkaConsumer(
            configuration: KafkaTestSupport.configuration(cluster, group: topic),
            rebalanceHandler: { event, _ in events.append(event) }
        )
        try consumer.subscribe(topics: [topic])
        #expect(try KafkaTestSupport.pollUntil([consumer]) { events.values.contains { $0.kind == .assigned } })

        // An UNKNOWN_MEMBER_ID heartbeat response means the coordinator removed the member.
        cluster.injectRequestErrors(.heartbeat, [KafkaResponseError(rawValue: 25)])
        #expect(try KafkaTestSupport.pollUntil([consumer]) { events.values.contains { $0.kind == .lost } })
        let lost = try #require(events.values.first { $0.kind == .lost })
        #expect(Set(lost.partitions.map(\.partition.rawValue)) == [0, 1])

        // The member rejoins and is assigned both partitions again.
        let rejoined = try KafkaTestSupport.pollUntil([consumer]) {
            let assigned = Set(try consumer.assignment().map(\.partition.rawValue))
            return events.values.last?.kind == .assigned && assigned == [0, 1]
        }
        #expect(rejoined)
        try consumer.close()
    }
}
