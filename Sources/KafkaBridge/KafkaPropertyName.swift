/// The spellings librdkafka accepts for one property.
///
/// librdkafka 2.0.2 reads ten names as aliases of others (`linger.ms` sets
/// `queue.buffering.max.ms`, `acks` sets `request.required.acks`, and so on) and a topic property
/// with a `topic.` prefix as the property itself. Two spellings of one property in one
/// configuration would otherwise be applied in name order, so the one given last need not win.
public enum KafkaPropertyName {
    /// Each alias and the name it stands for, both directions folded onto the name that the Java
    /// client and Kafka's documentation use.
    private static let preferred: [String: String] = [
        "metadata.broker.list": "bootstrap.servers",
        "max.in.flight.requests.per.connection": "max.in.flight",
        "sasl.mechanisms": "sasl.mechanism",
        "fetch.message.max.bytes": "max.partition.fetch.bytes",
        "queue.buffering.max.ms": "linger.ms",
        "message.send.max.retries": "retries",
        "compression.codec": "compression.type",
        "request.required.acks": "acks",
        "message.timeout.ms": "delivery.timeout.ms",
        "auto.commit.enable": "enable.auto.commit",
    ]

    /// Returns one name for every spelling of the property `name`: without a `topic.` prefix and
    /// with librdkafka's aliases folded together. Names librdkafka does not know come back
    /// unchanged (apart from the prefix), so they still reach librdkafka's own check.
    ///
    /// - Complexity: O(length of `name`).
    public static func canonical(_ name: String) -> String {
        let bare = name.hasPrefix("topic.") ? String(name.dropFirst("topic.".count)) : name
        return preferred[bare] ?? bare
    }
}
