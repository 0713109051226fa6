// The KafkaBridge module: Swift over librdkafka. See docs/kafka-bridge.md.
