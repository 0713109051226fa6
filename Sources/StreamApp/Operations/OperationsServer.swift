import Dispatch
import Glibc
import StreamCore
import Synchronization

/// A small HTTP/1.1 server for the operations endpoints, on plain sockets.
///
/// It serves one request per connection and then closes it (`Connection: close`), so HTTP
/// clients such as Prometheus reconnect for their next request. The bind host must be an IP
/// literal (`127.0.0.1`, `0.0.0.0`, `::1`, `::`) or `localhost`, because names are never
/// resolved through DNS.
/// Port 0 binds an ephemeral port, reported by ``port``.
///
/// Requests are bounded by ``OperationsServerLimits``: head size (431), read time (408) and
/// open connections. At the connection limit, a new connection closes the one that has waited
/// longest for its request head, so idle clients cannot keep a probe out. Only when every slot
/// is sending a response does the new one get 503. Malformed requests get 400, and a client
/// that disconnects early is dropped. None of these stop the server.
///
/// Lifecycle: `init` binds and listens, ``start()`` runs the accept loop on its own thread, and
/// ``stop()`` ends it and closes the listening socket. Thread safety: all methods may be called
/// from any thread.
final class OperationsServer: Sendable {
    /// The host the server is bound to, as given.
    let host: String
    /// The bound port; the kernel's choice when 0 was requested.
    let port: UInt16

    private let listenDescriptor: Int32
    private let limits: OperationsServerLimits
    private let logger: Logger
    private let respond: @Sendable (HTTPRequestHead) -> HTTPResponse
    private let isStopping = Atomic<Bool>(false)
    private let hasStarted = Atomic<Bool>(false)
    private let openConnections = Atomic<Int>(0)
    /// The connections still reading their request head, or draining after their response, by
    /// descriptor. The accept loop may shut one down to free its slot. The connection's
    /// thread removes its entry under the lock before it closes the descriptor, so a descriptor
    /// the loop shuts down still belongs to that connection.
    private let readingConnections = Mutex<[Int32: ReadingConnection]>([:])

    /// A connection still reading its request head, or draining after its response.
    private struct ReadingConnection {
        /// The order in which it was accepted.
        var order: Int64
        /// When it was accepted, on the monotonic clock in ms.
        var acceptedAtMilliseconds: Int64
        /// `true` once bytes of a request arrived; its thread sets it before it reads them.
        var hasBytes = false
        /// `true` once the response went out and the thread drains what the client still sends
        /// before it closes. Such a connection is the first to close for room.
        var isLingering = false
    }

    private let acceptLoopFinished = DispatchSemaphore(value: 0)

    /// Binds and listens.
    ///
    /// - Parameters:
    ///   - host: An IP literal or `localhost`.
    ///   - port: The TCP port, 0 for an ephemeral one.
    ///   - limits: Request and connection bounds.
    ///   - logger: Receives start, stop and failure entries.
    ///   - respond: Maps each request to a response; called on a connection thread.
    /// - Throws: ``OperationsServerError`` naming the address when the host is not an IP literal
    ///   or the socket cannot be bound (for example, the port is in use).
    init(
        host: String,
        port: UInt16,
        limits: OperationsServerLimits = OperationsServerLimits(),
        logger: Logger,
        respond: @escaping @Sendable (HTTPRequestHead) -> HTTPResponse
    ) throws {
        self.host = host
        self.limits = limits
        self.logger = logger
        self.respond = respond
        (listenDescriptor, self.port) = try Self.bindAndListen(host: host, port: port)
    }

    deinit {
        if !hasStarted.load(ordering: .acquiring) {
            close(listenDescriptor)
        }
    }

    /// The address clients connect to, for example `127.0.0.1:9464` or `[::1]:9464`.
    var address: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Starts the accept loop on a dedicated thread. Call it once.
    func start() {
        guard !hasStarted.exchange(true, ordering: .acquiringAndReleasing) else { return }
        logger.notice("operations server listening", metadata: [LogKey.address: .string(address)])
        let thread = DispatchQueue(label: "memestream.operations.accept")
        thread.async { [self] in
            acceptLoop()
        }
    }

    /// Stops accepting, closes the listening socket and waits up to one second for the accept
    /// loop to end. Connections already being served finish on their own, within the read timeout.
    func stop() {
        guard !isStopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if hasStarted.load(ordering: .acquiring) {
            _ = acceptLoopFinished.wait(timeout: .now() + .seconds(1))
        }
        logger.debug("operations server stopped", metadata: [LogKey.address: .string(address)])
    }

    // MARK: - Accepting

    private func acceptLoop() {
        var acceptedCount: Int64 = 0
        // The loop lives as long as the server; the 100 ms poll timeout lets it notice stop().
        while !isStopping.load(ordering: .acquiring) {
            var listener = pollfd(fd: listenDescriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&listener, 1, 100) > 0 else { continue }

            let client = accept(listenDescriptor, nil, nil)
            if client >= 0 {
                _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            }
            if client < 0 {
                let code = errno
                if code != EINTR && code != EAGAIN && code != ECONNABORTED {
                    logger.warning(
                        "operations server accept failed",
                        metadata: [LogKey.error: .string(Self.errorText(code)), LogKey.address: .string(address)]
                    )
                    // Out of descriptors or memory: back off instead of spinning.
                    usleep(50_000)
                }
                continue
            }

            if openConnections.add(1, ordering: .acquiringAndReleasing).newValue > limits.maxConnections {
                // Back to the limit: an evicted connection's slot passes to this one (its thread
                // does not give it back), and a rejected one takes none.
                openConnections.subtract(1, ordering: .acquiringAndReleasing)
                guard evictLongestWaiting() else {
                    logger.debug("operations connection rejected: too many open connections")
                    reject(client, body: "too many connections; retry later\n")
                    continue
                }
            }
            acceptedCount += 1
            let acceptedAt = MonotonicClock.milliseconds()
            readingConnections.withLock { [acceptedCount] in
                $0[client] = ReadingConnection(order: acceptedCount, acceptedAtMilliseconds: acceptedAt)
            }
            // One thread per connection: at most `maxConnections` that hold a slot, and each ends
            // within the read timeout, so a slow client never delays another request.
            let started = startDetachedThread { [self] in
                if serve(client) {
                    openConnections.subtract(1, ordering: .acquiringAndReleasing)
                }
            }
            if !started {
                readingConnections.withLock { _ = $0.removeValue(forKey: client) }
                openConnections.subtract(1, ordering: .acquiringAndReleasing)
                logger.warning(
                    "operations connection rejected: starting a thread failed",
                    metadata: [LogKey.address: .string(address)]
                )
                reject(client, body: "server busy; retry later\n")
            }
        }
        close(listenDescriptor)
        acceptLoopFinished.signal()
    }

    /// Sends 503 from the accept thread and closes, blocking the accept loop for at most 5 ms.
    /// A request that has already arrived is read first, so the client receives the 503 and not
    /// a reset. A client that has not sent its request yet is not waited for.
    private func reject(_ client: Int32, body: String) {
        let response = HTTPResponse(status: 503, body: body).serialized()
        _ = response.withUnsafeBytes {
            Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
        }
        shutdown(client, Int32(SHUT_WR))
        var sink = [UInt8](repeating: 0, count: 4_096)
        var read = 0
        for pass in 0..<8 {
            let count = recv(client, &sink, sink.count, Int32(MSG_DONTWAIT))
            if count > 0 {
                read += count
                continue
            }
            // Nothing yet: wait once, briefly, for a request sent right after the connect.
            guard count < 0, errno == EAGAIN || errno == EWOULDBLOCK, read == 0, pass == 0 else { break }
            var peer = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
            guard poll(&peer, 1, 5) > 0 else { break }
        }
        close(client)
    }

    /// Shuts down the connection that has waited longest for its request head, so that its
    /// thread ends at once. A connection that has sent its response goes first. Otherwise a
    /// connection qualifies once it has sent nothing for the limits'
    /// `newConnectionGraceMilliseconds`, or part of a request for `partialRequestGraceMilliseconds`.
    /// One with unread bytes never does, because they may be a whole request its thread has not
    /// parsed yet. Returns `false` when no connection qualifies.
    private func evictLongestWaiting() -> Bool {
        let now = MonotonicClock.milliseconds()
        return readingConnections.withLock { table in
            // Connections that sent their response go first, because they only wait for the
            // client to close.
            if let (descriptor, _) = table.first(where: { $0.value.isLingering }) {
                table[descriptor] = nil
                shutdown(descriptor, Int32(SHUT_RDWR))
                return true
            }
            for (descriptor, connection) in table.sorted(by: { $0.value.order < $1.value.order }) {
                let grace =
                    connection.hasBytes ? limits.partialRequestGraceMilliseconds : limits.newConnectionGraceMilliseconds
                if now - connection.acceptedAtMilliseconds < grace { continue }
                var peer = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                guard poll(&peer, 1, 0) == 0 else { continue }
                table[descriptor] = nil
                shutdown(descriptor, Int32(SHUT_RDWR))
                logger.debug("operations connection closed to make room: it sent no complete request")
                return true
            }
            return false
        }
    }

    // MARK: - Serving one connection

    /// Reads one request, sends the response and closes the connection. Returns `false` when the accept
    /// loop evicted the connection, whose slot then belongs to another connection.
    private func serve(_ client: Int32) -> Bool {
        let outcome = readRequest(client)
        let evicted = readingConnections.withLock { $0.removeValue(forKey: client) == nil }
        if evicted {
            close(client)
            return false
        }
        setSendTimeout(client, milliseconds: limits.readTimeoutMilliseconds)

        let response: HTTPResponse
        var includesBody = true
        switch outcome {
        case .complete(let head):
            response = respond(head)
            includesBody = head.method != "HEAD"
            if response.status >= 400 {
                logger.debug(
                    "operations request failed",
                    metadata: [
                        LogKey.httpPath: .string(head.path), LogKey.httpStatus: .integer(Int64(response.status)),
                    ]
                )
            }
        case .invalid(let reason):
            logger.debug("operations request invalid", metadata: [LogKey.error: .string(reason)])
            response = HTTPResponse(status: 400, body: "bad request: \(reason)\n")
        case .tooLarge:
            logger.debug(
                "operations request too large",
                metadata: ["limit.bytes": .integer(Int64(limits.maxRequestBytes))]
            )
            response = HTTPResponse(status: 431, body: "request head larger than \(limits.maxRequestBytes) bytes\n")
        case .timedOut:
            logger.debug("operations request timed out")
            response = HTTPResponse(
                status: 408,
                body: "request not received within \(limits.readTimeoutMilliseconds) ms\n"
            )
        case .closed:
            close(client)
            return true
        }
        send(client, response.serialized(includesBody: includesBody))
        // While it drains, the connection may be closed to make room: it has its response.
        readingConnections.withLock {
            $0[client] = ReadingConnection(order: 0, acceptedAtMilliseconds: 0, hasBytes: true, isLingering: true)
        }
        drainBeforeClose(client)
        // Out of the table before the close, so that the accept loop never shuts down a reused
        // descriptor.
        let evictedWhileDraining = readingConnections.withLock { $0.removeValue(forKey: client) == nil }
        close(client)
        return !evictedWhileDraining
    }

    private enum ReadOutcome {
        case complete(HTTPRequestHead)
        case invalid(String)
        case tooLarge
        case timedOut
        case closed
    }

    /// Reads until the request head is complete, the size limit is reached, the deadline passes
    /// or the peer closes. Each pass either adds at least one byte or ends, and the deadline
    /// bounds the waits, so the loop is bounded in count and time.
    private func readRequest(_ client: Int32) -> ReadOutcome {
        let deadline = MonotonicClock.milliseconds() + limits.readTimeoutMilliseconds
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1_024)

        for _ in 0...(limits.maxRequestBytes + 64) {
            let remaining = deadline - MonotonicClock.milliseconds()
            guard remaining > 0 else { return .timedOut }
            var peer = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
            let ready = poll(&peer, 1, Int32(clamping: remaining))
            if ready == 0 { return .timedOut }
            if ready < 0 {
                if errno == EINTR { continue }
                return .closed
            }
            // Set before the bytes leave the socket. The accept loop checks for unread bytes under
            // the same lock, so it finds either the bytes or the mark.
            if received.isEmpty {
                readingConnections.withLock { $0[client]?.hasBytes = true }
            }

            let count = recv(client, &chunk, min(chunk.count, limits.maxRequestBytes - received.count + 1), 0)
            if count == 0 { return .closed }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return .closed
            }
            received += chunk[0..<count]

            switch HTTPRequestParser.parse(received) {
            case .complete(let head): return .complete(head)
            case .invalid(let reason): return .invalid(reason)
            case .incomplete:
                if received.count > limits.maxRequestBytes { return .tooLarge }
            }
        }
        return .timedOut
    }

    // MARK: - Socket helpers

    /// Sends every byte or gives up on the first error. `MSG_NOSIGNAL` keeps a vanished client
    /// from raising SIGPIPE, and the send timeout bounds each call.
    private func send(_ client: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            for _ in 0...bytes.count where offset < bytes.count {
                let sent = Glibc.send(client, buffer.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                if sent > 0 {
                    offset += sent
                } else if sent < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }

    /// Half-closes, then reads what the client still sends for at most `milliseconds`, or until
    /// it closes or the accept loop shuts the connection down. A client that reads its response
    /// closes within a round trip. The limit stops a client that goes on sending from keeping the
    /// thread busy.
    private func drainBeforeClose(_ client: Int32, milliseconds: Int64 = 100) {
        shutdown(client, Int32(SHUT_WR))
        var sink = [UInt8](repeating: 0, count: 4_096)
        let deadline = MonotonicClock.milliseconds() + milliseconds
        // Each pass reads at least one byte or ends; 64 passes of 4 KiB bound the bytes read.
        for _ in 0..<64 {
            let remaining = deadline - MonotonicClock.milliseconds()
            guard remaining > 0 else { break }
            var peer = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
            guard poll(&peer, 1, Int32(clamping: remaining)) > 0 else { break }
            guard recv(client, &sink, sink.count, 0) > 0 else { break }
        }
    }

    private func setSendTimeout(_ client: Int32, milliseconds: Int64) {
        var timeout = timeval(tv_sec: Int(milliseconds / 1_000), tv_usec: Int(milliseconds % 1_000) * 1_000)
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    private static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    // MARK: - Binding

    private static func bindAndListen(host: String, port: UInt16) throws -> (Int32, UInt16) {
        let literal = host == "localhost" ? "127.0.0.1" : host
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        let lookup = getaddrinfo(literal, String(port), &hints, &found)
        guard lookup == 0, let info = found else {
            throw OperationsServerError(
                "invalid --http-host '\(host)': expected an IP address such as 127.0.0.1, 0.0.0.0 or ::1 (\(String(cString: gai_strerror(lookup))))"
            )
        }
        defer { freeaddrinfo(found) }

        let descriptor = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else {
            throw OperationsServerError("cannot create a socket for \(host):\(port): \(errorText(errno))")
        }
        var enable: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &enable, socklen_t(MemoryLayout<Int32>.size))

        guard bind(descriptor, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let code = errno
            close(descriptor)
            // The address is the fault when no interface has it; otherwise the port is taken.
            let advice =
                code == EADDRNOTAVAIL
                ? "give --http-host an address of this machine, such as 127.0.0.1 or 0.0.0.0"
                : "choose another --http-port, or 0 for any free port"
            throw OperationsServerError(
                "cannot bind the operations server to \(host):\(port): \(errorText(code)); \(advice)"
            )
        }
        // A deep queue: a burst of connections beyond it has its SYNs dropped, and the kernel
        // retries them only after a second (200 idle connections delayed a probe by 1 s with 64).
        guard listen(descriptor, 1_024) == 0 else {
            let code = errno
            close(descriptor)
            throw OperationsServerError("cannot listen on \(host):\(port): \(errorText(code))")
        }

        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else {
            let code = errno
            close(descriptor)
            throw OperationsServerError("cannot read the bound port of \(host):\(port): \(errorText(code))")
        }
        let family = Int32(storage.ss_family)
        let boundPort = withUnsafePointer(to: &storage) { pointer -> UInt16 in
            if family == AF_INET6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    UInt16(bigEndian: $0.pointee.sin6_port)
                }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                UInt16(bigEndian: $0.pointee.sin_port)
            }
        }
        return (descriptor, boundPort)
    }
}
