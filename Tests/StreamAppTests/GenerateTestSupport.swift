import StreamCore

@testable import StreamApp

/// An in-memory ``ByteOutput`` for tests.
struct MemoryOutput: ByteOutput {
    var bytes: [UInt8] = []
    var isFinished = false

    mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        self.bytes.append(contentsOf: bytes)
    }

    mutating func finish() throws {
        isFinished = true
    }
}

/// Generator output kept in memory: every record plus its decoding by the real decoder.
struct GeneratedSample {
    var records: [GeneratedRecord] = []

    /// Runs the generator for `configuration` and keeps every record.
    init(_ configuration: GeneratorConfiguration) {
        var generator = TrafficGenerator(configuration: configuration)
        var record = GeneratedRecord()
        // The configured limit ends the loop; the cap only guards against a generator fault.
        for _ in 0..<10_000_000 {
            guard generator.next(into: &record) else { break }
            records.append(record)
        }
    }
}

extension GeneratorConfiguration {
    /// Makes a small, fast configuration for tests: `events` records at 200 events per second.
    static func testing(events: Int, seed: UInt64 = 7) -> GeneratorConfiguration {
        var configuration = GeneratorConfiguration()
        configuration.seed = seed
        configuration.limit = .events(events)
        configuration.eventsPerSecond = 200
        configuration.initialMemes = 500
        configuration.birthsPerMinute = 5
        configuration.users = 10_000
        return configuration
    }
}

/// Renders `configuration` through the line writer into memory.
func generatedBytes(_ configuration: GeneratorConfiguration) throws -> [UInt8] {
    var writer = RecordLineWriter(
        output: MemoryOutput(),
        format: configuration.outputFormat,
        topic: configuration.topic,
        partitionCount: configuration.partitions
    )
    var generator = TrafficGenerator(configuration: configuration)
    var record = GeneratedRecord()
    for _ in 0..<10_000_000 {
        guard generator.next(into: &record) else { break }
        try writer.write(record)
    }
    return writer.output.bytes
}
