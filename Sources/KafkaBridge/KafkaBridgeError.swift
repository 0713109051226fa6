import CRdKafka

/// The one error type of KafkaBridge.
///
/// It carries the librdkafka error code when there is one, whether the error is fatal (the
/// client must be recreated) or retriable (the same call may succeed later), and a message that
/// names the topic, partition and offset involved. Messages never contain configuration values
/// of secret properties.
public struct KafkaBridgeError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure, extensible without breaking `switch` statements in callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Kind: Hashable, Sendable {
            case configuration
            case kafka
            case timedOut
            case closed
            case delivery
            case unsupported
            case fileRead
        }

        fileprivate let kind: Kind

        /// A configuration property or setting is invalid or missing.
        public static let configuration = Code(kind: .configuration)
        /// librdkafka or the broker reported an error; see ``KafkaBridgeError/rdKafkaCode``.
        public static let kafka = Code(kind: .kafka)
        /// A bounded wait ran out before the operation completed.
        public static let timedOut = Code(kind: .timedOut)
        /// The client was closed before or during the call.
        public static let closed = Code(kind: .closed)
        /// A produced record could not be delivered.
        public static let delivery = Code(kind: .delivery)
        /// The broker cannot perform the request (for example a cluster without a controller).
        public static let unsupported = Code(kind: .unsupported)
        /// A properties file could not be read or parsed.
        public static let fileRead = Code(kind: .fileRead)

        public var description: String {
            switch kind {
            case .configuration: "configuration"
            case .kafka: "kafka"
            case .timedOut: "timed out"
            case .closed: "closed"
            case .delivery: "delivery"
            case .unsupported: "unsupported"
            case .fileRead: "file read"
            }
        }
    }

    /// The kind of failure.
    public let code: Code
    /// The librdkafka `rd_kafka_resp_err_t` value, or `nil` when the error did not come from
    /// librdkafka.
    public let rdKafkaCode: Int32?
    /// `true` when the client is unusable and must be closed and recreated.
    public let isFatal: Bool
    /// `true` when repeating the same call later may succeed.
    public let isRetriable: Bool
    /// The failure description with the topic, partition and offset involved and the next step.
    public let message: String
    /// The source location that raised the error, as `file:line`.
    public let location: String

    /// The librdkafka name of ``rdKafkaCode`` (for example `_MSG_TIMED_OUT`), or `nil`.
    public var rdKafkaCodeName: String? {
        guard let rdKafkaCode else { return nil }
        return String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rdKafkaCode)))
    }

    /// The message for an operator: ``message`` followed by the librdkafka error name when there
    /// is one, without the Swift type name and source location of ``description``.
    public var operatorMessage: String {
        guard let name = rdKafkaCodeName else { return message }
        return message + " (librdkafka error \(name))"
    }

    /// `true` when the error is a setting the user gave: a configuration property, or a
    /// properties file that could not be read or parsed.
    public var isConfigurationError: Bool { code == .configuration || code == .fileRead }

    public var description: String {
        var text = "KafkaBridgeError(\(code)"
        if let name = rdKafkaCodeName { text += ", \(name)" }
        if isFatal { text += ", fatal" }
        if isRetriable { text += ", retriable" }
        return text + "): \(message) [\(location)]"
    }

    init(
        code: Code,
        rdKafkaCode: Int32? = nil,
        isFatal: Bool = false,
        isRetriable: Bool = false,
        message: String,
        file: String = #fileID,
        line: Int = #line
    ) {
        self.code = code
        self.rdKafkaCode = rdKafkaCode
        self.isFatal = isFatal
        self.isRetriable = isRetriable
        self.message = message
        self.location = "\(file):\(line)"
    }

    static func configuration(_ message: String, file: String = #fileID, line: Int = #line) -> KafkaBridgeError {
        KafkaBridgeError(code: .configuration, message: message, file: file, line: line)
    }

    static func closed(_ message: String, file: String = #fileID, line: Int = #line) -> KafkaBridgeError {
        KafkaBridgeError(code: .closed, message: message, file: file, line: line)
    }

    static func timedOut(_ message: String, file: String = #fileID, line: Int = #line) -> KafkaBridgeError {
        KafkaBridgeError(code: .timedOut, isRetriable: true, message: message, file: file, line: line)
    }

    /// Wraps a plain `rd_kafka_resp_err_t`. The message is `context` followed by librdkafka's
    /// description of the code.
    static func kafka(
        _ error: rd_kafka_resp_err_t,
        _ context: String,
        code: Code = .kafka,
        file: String = #fileID,
        line: Int = #line
    ) -> KafkaBridgeError {
        let reason = String(cString: rd_kafka_err2str(error))
        let isTimeout = error == RD_KAFKA_RESP_ERR__TIMED_OUT || error == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT
        return KafkaBridgeError(
            code: isTimeout && code == .kafka ? .timedOut : code,
            rdKafkaCode: Int32(error.rawValue),
            isFatal: error == RD_KAFKA_RESP_ERR__FATAL,
            isRetriable: isTimeout || RDKafkaErrorClass.isRetriable(error),
            message: "\(context): \(reason)",
            file: file,
            line: line
        )
    }

    /// Copies a rich `rd_kafka_error_t` (code, fatal and retriable flags, message) and destroys
    /// it, because the caller owns it.
    static func consuming(
        _ error: OpaquePointer,
        _ context: String,
        file: String = #fileID,
        line: Int = #line
    ) -> KafkaBridgeError {
        defer { rd_kafka_error_destroy(error) }
        let rdCode = rd_kafka_error_code(error)
        return KafkaBridgeError(
            code: rdCode == RD_KAFKA_RESP_ERR__TIMED_OUT ? .timedOut : .kafka,
            rdKafkaCode: Int32(rdCode.rawValue),
            isFatal: rd_kafka_error_is_fatal(error) != 0,
            isRetriable: rd_kafka_error_is_retriable(error) != 0,
            message: "\(context): \(String(cString: rd_kafka_error_string(error)))",
            file: file,
            line: line
        )
    }
}

/// The classification of plain librdkafka codes that a retry can fix. librdkafka 2.0.2 offers
/// `is_retriable` only on the rich `rd_kafka_error_t`, so plain codes are classified here.
enum RDKafkaErrorClass {
    static func isRetriable(_ error: rd_kafka_resp_err_t) -> Bool {
        switch error {
        case RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__QUEUE_FULL,
            RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
            RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
            RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE,
            RD_KAFKA_RESP_ERR_NOT_COORDINATOR, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
            RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
            RD_KAFKA_RESP_ERR__WAIT_COORD, RD_KAFKA_RESP_ERR__IN_PROGRESS:
            return true
        default:
            return false
        }
    }
}
