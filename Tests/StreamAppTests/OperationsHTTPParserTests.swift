import Testing

@testable import StreamApp

@Suite struct OperationsHTTPParserTests {
    @Test(arguments: [
        ("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", "GET", "/metrics"),
        ("HEAD /healthz HTTP/1.0\r\n\r\n", "HEAD", "/healthz"),
        ("GET /readyz?verbose=1 HTTP/1.1\r\n\r\n", "GET", "/readyz"),
        ("GET / HTTP/1.1\n\n", "GET", "/"),
    ])
    func completeRequestsParse(text: String, method: String, path: String) throws {
        guard case .complete(let head) = HTTPRequestParser.parse(Array(text.utf8)) else {
            Issue.record("expected a complete request for \(text.debugDescription)")
            return
        }
        #expect(head.method == method)
        #expect(head.path == path)
    }

    @Test(arguments: ["", "GET /metrics HTTP/1.1\r\n", "GET /metrics HTTP/1.1\r\nHost: x\r\n", "GE"])
    func partialRequestsAreIncomplete(text: String) {
        #expect(HTTPRequestParser.parse(Array(text.utf8)) == .incomplete)
    }

    @Test(arguments: [
        "GET /metrics\r\n\r\n",
        "GET  /metrics HTTP/1.1\r\n\r\n",
        "get /metrics HTTP/1.1\r\n\r\n",
        "GET metrics HTTP/1.1\r\n\r\n",
        "GET /metrics HTTP/2.0\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nno colon here\r\n\r\n",
        "\r\n\r\n",
        "GET /a\u{01}b HTTP/1.1\r\n\r\n",
    ])
    func malformedRequestsAreInvalid(text: String) {
        guard case .invalid = HTTPRequestParser.parse(Array(text.utf8)) else {
            Issue.record("expected invalid for \(text.debugDescription)")
            return
        }
    }

    @Test func binaryGarbageNeverCrashes() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var bytes = (0..<Int.random(in: 0..<64, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            bytes += [13, 10, 13, 10]
            _ = HTTPRequestParser.parse(bytes)
        }
    }

    @Test func responseSerialisesHeadersAndBody() {
        let response = HTTPResponse(status: 503, body: "not ready\n")
        let text = String(decoding: response.serialized(), as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"))
        #expect(text.contains("Content-Length: 10\r\n"))
        #expect(text.contains("Connection: close\r\n"))
        #expect(text.hasSuffix("\r\n\r\nnot ready\n"))
        #expect(String(decoding: response.serialized(includesBody: false), as: UTF8.self).hasSuffix("\r\n\r\n"))
    }
}
