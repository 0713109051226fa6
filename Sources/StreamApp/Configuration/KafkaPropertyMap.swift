import KafkaBridge

/// librdkafka properties merged from several sources, where a later value for a property wins
/// whichever of librdkafka's spellings it uses, and where each value came from for messages.
struct KafkaPropertyMap {
    /// The properties by the spelling their last value used.
    private(set) var values: [String: String] = [:]
    /// The origin of each value in ``values``: `-X`, a file and line, a variable.
    private(set) var origins: [String: String] = [:]
    /// The spelling in ``values`` for each ``KafkaPropertyName/canonical(_:)`` name.
    private var spellings: [String: String] = [:]

    /// Sets `name` to `value`, replacing an earlier value of the same property under any spelling.
    mutating func set(_ name: String, to value: String, origin: String) {
        let canonical = KafkaPropertyName.canonical(name)
        if let earlier = spellings[canonical], earlier != name {
            values.removeValue(forKey: earlier)
            origins.removeValue(forKey: earlier)
        }
        spellings[canonical] = name
        values[name] = value
        origins[name] = origin
    }
}
