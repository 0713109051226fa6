/// The request line of an HTTP/1.x request, which is all the operations endpoints need.
struct HTTPRequestHead: Sendable, Hashable {
    /// The method, for example `GET`, as sent (methods are case-sensitive).
    var method: String
    /// The path without the query string, for example `/metrics`.
    var path: String
    /// The version from the request line, `HTTP/1.0` or `HTTP/1.1`.
    var version: String
}

/// The result of parsing the bytes received so far on a connection.
enum HTTPRequestParseResult: Sendable, Hashable {
    /// The head is complete (the blank line after the headers was received).
    case complete(HTTPRequestHead)
    /// More bytes are needed.
    case incomplete
    /// The bytes are not an HTTP/1.x request; the reason is sent back in a 400 response.
    case invalid(String)
}

/// Parses the head of an HTTP/1.x request from raw bytes.
///
/// Only the request line is interpreted; header lines are checked for the `name: value` shape
/// and otherwise ignored, and any body is never read. The server closes the connection after
/// one response, so there is no need to track `Content-Length` or keep-alive.
enum HTTPRequestParser {
    /// Parses `bytes`, the start of a request.
    ///
    /// - Complexity: O(n) in the number of bytes.
    static func parse(_ bytes: [UInt8]) -> HTTPRequestParseResult {
        guard let headEnd = endOfHead(bytes) else {
            return .incomplete
        }
        let head = bytes[..<headEnd]
        var lines = head.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            line.last == UInt8(ascii: "\r") ? line.dropLast() : line
        }
        // Remove the empty lines that end the head.
        while lines.last?.isEmpty == true {
            lines.removeLast()
        }
        guard let requestLine = lines.first else {
            return .invalid("empty request")
        }

        let parts = requestLine.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            return .invalid("request line must be 'METHOD PATH HTTP/1.1'")
        }
        let method = String(decoding: parts[0], as: UTF8.self)
        let target = String(decoding: parts[1], as: UTF8.self)
        let version = String(decoding: parts[2], as: UTF8.self)
        guard !method.isEmpty, method.utf8.allSatisfy({ $0 >= 65 && $0 <= 90 }) else {
            return .invalid("invalid method")
        }
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            return .invalid("unsupported version; expected HTTP/1.0 or HTTP/1.1")
        }
        guard target.hasPrefix("/"), target.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return .invalid("request target must be a path starting with '/'")
        }
        for line in lines.dropFirst() where !line.contains(UInt8(ascii: ":")) {
            return .invalid("header line without ':'")
        }

        let path =
            target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
            ?? target
        return .complete(HTTPRequestHead(method: method, path: path, version: version))
    }

    /// Returns the index just past the blank line that ends the head (`\r\n\r\n`, or `\n\n` from
    /// lenient clients), or `nil` when it has not arrived yet.
    private static func endOfHead(_ bytes: [UInt8]) -> Int? {
        let newline = UInt8(ascii: "\n")
        var index = 0
        while index < bytes.count {
            if bytes[index] == newline {
                if index + 1 < bytes.count, bytes[index + 1] == newline {
                    return index + 2
                }
                if index + 2 < bytes.count, bytes[index + 1] == UInt8(ascii: "\r"), bytes[index + 2] == newline {
                    return index + 3
                }
            }
            index += 1
        }
        return nil
    }
}
