import Glibc
import StreamCore
import Testing

@Suite struct LoggingStreamHandlerTests {
    @Test func writesOneLinePerEntryToDescriptor() throws {
        var descriptors: [Int32] = [0, 0]
        try #require(pipe(&descriptors) == 0)
        defer {
            close(descriptors[0])
        }

        let handler = StreamLogHandler(formatter: LogLineFormatter(format: .json), fileDescriptor: descriptors[1])
        let logger = Logger(label: "t", handler: handler)
        logger.info("first", metadata: ["sasl.password": "hunter2"])
        logger.error("second\nline")
        close(descriptors[1])

        var buffer = [UInt8](repeating: 0, count: 4_096)
        var output: [UInt8] = []
        for _ in 0..<100 {
            let count = read(descriptors[0], &buffer, buffer.count)
            if count <= 0 { break }
            output += buffer[0..<count]
        }
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3)
        #expect(lines[0].contains(#""msg":"first""#))
        #expect(lines[0].contains(#""sasl.password":"[redacted]""#))
        #expect(lines[1].contains(#""level":"error""#))
        #expect(lines[1].contains(#""msg":"second\nline""#))
        #expect(lines[2].isEmpty)
    }
}
