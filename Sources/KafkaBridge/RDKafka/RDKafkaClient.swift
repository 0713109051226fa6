import CRdKafka
import Foundation
import Synchronization

/// Owner of one `rd_kafka_t` handle, destroyed in `deinit`.
///
/// librdkafka documents the handle as thread-safe, so the class is `@unchecked Sendable`;
/// callers that need ordering (a consumer's poll) enforce it themselves.
///
/// - Important: ``callbacks`` is declared after ``handle`` and released only after
///   `rd_kafka_destroy` returns in `deinit`, so no C callback can reach a freed object.
final class RDKafkaClient: @unchecked Sendable {
    let handle: OpaquePointer
    let callbacks: RDKafkaCallbacks

    /// Creates the conf, sets every property, installs the callbacks and creates the handle.
    ///
    /// - Throws: A ``KafkaBridgeError`` with code ``KafkaBridgeError/Code/configuration`` that
    ///   names the unknown or invalid property (never the value of a secret property), or that
    ///   carries librdkafka's reason when `rd_kafka_new` fails.
    init(
        type: rd_kafka_type_t,
        properties: [(key: String, value: String)],
        callbacks: RDKafkaCallbacks
    ) throws {
        let conf = rd_kafka_conf_new()!
        do {
            for (key, value) in properties {
                try Self.set(key, value, on: conf, callbacks: callbacks)
            }
        } catch {
            rd_kafka_conf_destroy(conf)
            throw error
        }
        callbacks.install(on: conf)

        var errorText = [CChar](repeating: 0, count: 512)
        // rd_kafka_new takes ownership of conf only when it succeeds.
        guard let handle = rd_kafka_new(type, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaBridgeError.configuration(
                "cannot create the Kafka client: \(callbacks.redact(String(errorBuffer: errorText))); check the configuration"
            )
        }
        self.handle = handle
        self.callbacks = callbacks
    }

    /// When `true`, `deinit` leaves the handle to the end of the process instead of destroying
    /// it (``keepHandleUntilExit()``).
    private let keepsHandle = Atomic<Bool>(false)

    /// Makes `deinit` skip `rd_kafka_destroy` and keep the callbacks alive, so the closed handle
    /// stays until the process exits. For a handle whose destruction would abort the process
    /// (see ``KafkaConsumer/close()``).
    func keepHandleUntilExit() {
        keepsHandle.store(true, ordering: .releasing)
    }

    deinit {
        if keepsHandle.load(ordering: .acquiring) {
            // librdkafka threads may still call into the callbacks object, so it must outlive us.
            _ = Unmanaged.passRetained(callbacks)
            return
        }
        rd_kafka_destroy(handle)
    }

    private static func set(
        _ key: String,
        _ value: String,
        on conf: OpaquePointer,
        callbacks: RDKafkaCallbacks
    ) throws {
        var errorText = [CChar](repeating: 0, count: 512)
        let result = rd_kafka_conf_set(conf, key, value, &errorText, errorText.count)
        switch result {
        case RD_KAFKA_CONF_OK:
            return
        case RD_KAFKA_CONF_UNKNOWN:
            throw KafkaBridgeError.configuration(
                "unknown Kafka property '\(key)'; check its spelling against librdkafka's CONFIGURATION.md"
            )
        default:
            let shown = KafkaConfiguration.isSecret(property: key) ? "[redacted]" : "'\(value)'"
            var reason = String(errorBuffer: errorText)
            if KafkaConfiguration.isSecret(property: key), !value.isEmpty {
                reason = reason.replacingOccurrences(of: value, with: "[redacted]")
            }
            throw KafkaBridgeError.configuration(
                "invalid value \(shown) for Kafka property '\(key)': \(callbacks.redact(reason))"
            )
        }
    }

    /// The fatal error librdkafka raised on this client, if any.
    var fatalError: KafkaBridgeError? {
        callbacks.fatalError.withLock { $0 }
    }
}

extension Duration {
    /// The duration in whole milliseconds, clamped to `0...Int32.max` for librdkafka timeouts.
    var kafkaMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        let milliseconds = seconds.multipliedReportingOverflow(by: 1_000)
        if milliseconds.overflow { return seconds < 0 ? 0 : Int32.max }
        let total = milliseconds.partialValue + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(total, 0))
    }
}

extension String {
    /// Reads a NUL-terminated error buffer that librdkafka filled.
    init(errorBuffer: [CChar]) {
        self = errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
