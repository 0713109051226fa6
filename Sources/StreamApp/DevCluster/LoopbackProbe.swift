import Glibc

/// A check whether a server on this machine accepts TCP connections.
///
/// It connects only to IPv4 loopback addresses (`127.0.0.0/8` or `localhost`), so it never sends
/// traffic to another host. Thread-safety: the functions are stateless and may run on any thread.
enum LoopbackProbe {
    /// Returns `true` when `server` (`HOST:PORT`) is a loopback address and a TCP connection to it
    /// succeeds within `timeoutMilliseconds`. Any other host, or a malformed value, gives `false`.
    static func acceptsConnections(_ server: String, timeoutMilliseconds: Int32 = 500) -> Bool {
        guard let colon = server.lastIndex(of: ":"),
            let port = UInt16(server[server.index(after: colon)...]), port > 0
        else { return false }
        var host = String(server[..<colon])
        if host == "localhost" { host = "127.0.0.1" }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1,
            UInt32(bigEndian: address.sin_addr.s_addr) >> 24 == 127
        else { return false }

        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        let started = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if started == 0 { return true }
        guard errno == EINPROGRESS else { return false }

        var request = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        guard poll(&request, 1, timeoutMilliseconds) == 1 else { return false }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &length) == 0 else { return false }
        return error == 0
    }
}
