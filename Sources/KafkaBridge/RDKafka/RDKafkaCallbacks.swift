import CRdKafka
import Foundation
import Synchronization

/// The object librdkafka's C callbacks reach through the configuration opaque pointer.
///
/// Lifetime: the ``RDKafkaClient`` that owns the `rd_kafka_t` keeps a strong reference to this
/// object and passes it to librdkafka unretained. `rd_kafka_destroy` runs in the client's
/// `deinit` before the stored properties are released, so no callback can outlive it.
///
/// Thread safety: the handlers are immutable `@Sendable` closures set before `rd_kafka_new`.
/// The log callback runs on librdkafka's internal threads; the others run on whichever thread
/// polls the client. The only mutable state (the fatal error and the rebalance target) sits
/// behind `Mutex`es, which is why the class is `@unchecked Sendable`.
final class RDKafkaCallbacks: @unchecked Sendable {
    let logHandler: KafkaLogHandler?
    let statisticsHandler: KafkaStatisticsHandler?
    let errorHandler: KafkaErrorHandler?
    /// Secret property values, longest first, removed from every log line and error.
    let secretValues: [String]
    /// The first fatal error librdkafka raised, kept so later calls can report it.
    let fatalError = Mutex<KafkaBridgeError?>(nil)
    /// Handles rebalance events for a consumer; `nil` for other roles.
    let rebalance:
        ((OpaquePointer, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> Void)?
    /// Handles the result of an asynchronous commit; called from the consumer's poll.
    let commitResult: (@Sendable (Result<[KafkaTopicPartition], KafkaBridgeError>) -> Void)?
    /// Handles one delivery report; called from the producer's poll thread.
    let delivery: ((UnsafePointer<rd_kafka_message_t>) -> Void)?

    init(
        configuration: KafkaConfiguration,
        errorHandler: KafkaErrorHandler? = nil,
        rebalance: (
            (OpaquePointer, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> Void
        )? = nil,
        commitResult: (@Sendable (Result<[KafkaTopicPartition], KafkaBridgeError>) -> Void)? = nil,
        delivery: ((UnsafePointer<rd_kafka_message_t>) -> Void)? = nil
    ) {
        self.logHandler = configuration.logHandler
        self.statisticsHandler = configuration.statisticsHandler
        self.errorHandler = errorHandler
        self.secretValues = configuration.secretValues
        self.rebalance = rebalance
        self.commitResult = commitResult
        self.delivery = delivery
    }

    /// Replaces every secret value in `text` with `[redacted]`.
    func redact(_ text: String) -> String {
        var result = text
        for secret in secretValues where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: "[redacted]")
        }
        return result
    }

    static func from(_ opaque: UnsafeMutableRawPointer?) -> RDKafkaCallbacks? {
        guard let opaque else { return nil }
        return Unmanaged<RDKafkaCallbacks>.fromOpaque(opaque).takeUnretainedValue()
    }

    /// Installs the C callbacks on `conf` and points its opaque at `self` (unretained).
    func install(on conf: OpaquePointer) {
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(self).toOpaque())

        // Always install a log callback: without one librdkafka prints to stderr, and libraries
        // in this project never print.
        rd_kafka_conf_set_log_cb(conf) { client, level, facility, message in
            guard let client, let callbacks = RDKafkaCallbacks.from(rd_kafka_opaque(client)),
                let handler = callbacks.logHandler
            else { return }
            let facilityText = facility.map { String(cString: $0) } ?? ""
            let messageText = message.map { String(cString: $0) } ?? ""
            handler(KafkaLogLevel(syslogLevel: level), facilityText, callbacks.redact(messageText))
        }

        if statisticsHandler != nil {
            rd_kafka_conf_set_stats_cb(conf) { _, json, length, opaque in
                guard let callbacks = RDKafkaCallbacks.from(opaque), let handler = callbacks.statisticsHandler,
                    let json
                else { return 0 }
                let bytes = UnsafeRawBufferPointer(start: json, count: length)
                handler(String(decoding: bytes, as: UTF8.self))
                return 0  // librdkafka frees the JSON buffer.
            }
        }

        rd_kafka_conf_set_error_cb(conf) { client, code, reason, opaque in
            guard let client, let callbacks = RDKafkaCallbacks.from(opaque) else { return }
            callbacks.handleError(client: client, code: rd_kafka_resp_err_t(code), reason: reason)
        }

        if rebalance != nil {
            rd_kafka_conf_set_rebalance_cb(conf) { client, code, partitions, opaque in
                guard let client, let callbacks = RDKafkaCallbacks.from(opaque) else { return }
                callbacks.rebalance?(client, code, partitions)
            }
        }

        if commitResult != nil {
            rd_kafka_conf_set_offset_commit_cb(conf) { _, code, offsets, opaque in
                guard let callbacks = RDKafkaCallbacks.from(opaque), let handler = callbacks.commitResult else {
                    return
                }
                let partitions = RDKafkaPartitionList.read(offsets)
                if code == RD_KAFKA_RESP_ERR__NO_OFFSET {
                    handler(.success([]))  // Nothing was stored, so nothing needed committing.
                } else if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                    let names = partitions.map(\.description).joined(separator: ", ")
                    handler(.failure(.kafka(code, "asynchronous commit of [\(names)] failed")))
                } else {
                    handler(.success(partitions))
                }
            }
        }

        if delivery != nil {
            rd_kafka_conf_set_dr_msg_cb(conf) { _, message, opaque in
                guard let message, let callbacks = RDKafkaCallbacks.from(opaque) else { return }
                callbacks.delivery?(message)
            }
        }
    }

    private func handleError(client: OpaquePointer, code: rd_kafka_resp_err_t, reason: UnsafePointer<CChar>?) {
        var error: KafkaBridgeError
        if code == RD_KAFKA_RESP_ERR__FATAL {
            // The error callback carries only __FATAL; the underlying code and reason come from
            // rd_kafka_fatal_error.
            var buffer = [CChar](repeating: 0, count: 512)
            let underlying = rd_kafka_fatal_error(client, &buffer, buffer.count)
            error = KafkaBridgeError(
                code: .kafka,
                rdKafkaCode: Int32(underlying.rawValue),
                isFatal: true,
                message: "fatal client error \(String(cString: rd_kafka_err2name(underlying))): "
                    + redact(String(errorBuffer: buffer)) + "; close the client and create a new one"
            )
            fatalError.withLock { stored in
                if stored == nil { stored = error }
            }
        } else {
            let reasonText = reason.map { redact(String(cString: $0)) } ?? ""
            error = .kafka(code, "client error: \(reasonText)")
        }
        errorHandler?(error)
    }
}

/// Receives errors librdkafka raises outside any call (for example all brokers down, or a
/// fatal idempotence error). Called from the thread that polls the client.
public typealias KafkaErrorHandler = @Sendable (_ error: KafkaBridgeError) -> Void
