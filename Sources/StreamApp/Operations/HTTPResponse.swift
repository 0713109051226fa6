/// A complete HTTP/1.1 response with a small body, sent with `Connection: close`.
struct HTTPResponse: Sendable, Hashable {
    /// The status code, for example 200.
    var status: Int
    /// The value of the `Content-Type` header.
    var contentType: String
    /// The body bytes.
    var body: [UInt8]

    init(status: Int, contentType: String = "text/plain; charset=utf-8", body: String) {
        self.status = status
        self.contentType = contentType
        self.body = Array(body.utf8)
    }

    /// The standard reason phrase of ``status``.
    var reasonPhrase: String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status \(status)"
        }
    }

    /// Serialises the status line, headers and, unless `includesBody` is `false` (for `HEAD`),
    /// the body. `Content-Length` is always the body's length.
    func serialized(includesBody: Bool = true) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(reasonPhrase)\r\n"
        head += "Content-Type: \(contentType)\r\n"
        head += "Content-Length: \(body.count)\r\n"
        if status == 405 {
            head += "Allow: GET, HEAD\r\n"
        }
        head += "Cache-Control: no-store\r\n"
        head += "Connection: close\r\n\r\n"
        var bytes = Array(head.utf8)
        if includesBody {
            bytes += body
        }
        return bytes
    }
}
