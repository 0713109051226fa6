import KafkaBridge
import StreamCore
import Testing

@testable import StreamApp

@Suite struct OperationsKafkaLogLevelTests {
    @Test(arguments: [
        (Int32(0), LogLevel.critical), (2, .critical), (3, .error), (4, .warning), (5, .notice), (6, .info),
        (7, .debug),
    ])
    func librdkafkaLevelKeepsItsSeverity(syslogLevel: Int32, expected: LogLevel) {
        #expect(LogLevel(KafkaLogLevel(syslogLevel: syslogLevel)) == expected)
    }
}
