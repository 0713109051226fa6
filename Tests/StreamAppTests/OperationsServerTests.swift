import Glibc
import StreamCore
import Testing

@testable import StreamApp

/// A failed connection attempt to the loopback server.
private struct ConnectionRefused: Error {
    var port: UInt16
    var code: Int32
}

/// A blocking loopback HTTP client with a receive timeout, for testing the server.
private struct LoopbackClient {
    let descriptor: Int32

    init(port: UInt16, receiveTimeoutSeconds: Int = 5) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0)
        var timeout = timeval(tv_sec: receiveTimeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            Glibc.close(descriptor)
            throw ConnectionRefused(port: port, code: code)
        }
    }

    func send(_ text: String) {
        _ = text.withCString { Glibc.send(descriptor, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
    }

    /// Reads until the server closes the connection or the receive timeout passes.
    func readAll() -> String {
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4_096)
        for _ in 0..<10_000 {
            let count = recv(descriptor, &chunk, chunk.count, 0)
            if count <= 0 { break }
            output += chunk[0..<count]
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Reads as ``readAll()`` does, and also returns the `errno` of a failed read (0 when the
    /// server closed the connection in order).
    func readAllWithError() -> (String, Int32) {
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4_096)
        for _ in 0..<10_000 {
            let count = recv(descriptor, &chunk, chunk.count, 0)
            if count < 0 { return (String(decoding: output, as: UTF8.self), errno) }
            if count == 0 { break }
            output += chunk[0..<count]
        }
        return (String(decoding: output, as: UTF8.self), 0)
    }

    func close() {
        _ = Glibc.close(descriptor)
    }

    /// Sends a whole request and returns the whole response.
    static func exchange(port: UInt16, _ request: String) throws -> String {
        let client = try LoopbackClient(port: port)
        defer { client.close() }
        client.send(request)
        return client.readAll()
    }
}

@Suite struct OperationsServerTests {
    private func makeServer(
        limits: OperationsServerLimits = OperationsServerLimits()
    ) throws -> (
        OperationsServer, MetricsRegistry, HealthMonitor
    ) {
        let registry = MetricsRegistry(registering: MetricDescriptor.all)
        let health = HealthMonitor(livenessTimeoutMilliseconds: 60_000)
        let server = try OperationsServer.startEndpoints(
            host: "127.0.0.1",
            port: 0,
            metrics: registry,
            health: health,
            limits: limits,
            logger: .discarding
        )
        return (server, registry, health)
    }

    @Test func servesMetricsHealthAndReadiness() throws {
        let (server, registry, health) = try makeServer()
        defer { server.stop() }
        #expect(server.port != 0)
        registry.counter(.eventsConsumed, labels: [("partition", "3")]).increment(by: 5)

        let metrics = try LoopbackClient.exchange(port: server.port, "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(metrics.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(metrics.contains("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"))
        #expect(metrics.contains(#"memestream_events_consumed_total{partition="3"} 5"#))

        let healthz = try LoopbackClient.exchange(port: server.port, "GET /healthz HTTP/1.1\r\n\r\n")
        #expect(healthz.hasPrefix("HTTP/1.1 200 OK\r\n"))

        health.assign([0, 1])
        health.markRestored(0)
        let notReady = try LoopbackClient.exchange(port: server.port, "GET /readyz HTTP/1.1\r\n\r\n")
        #expect(notReady.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"))
        #expect(notReady.hasSuffix("partitions not yet restored: 1\n"))

        health.markRestored(1)
        let ready = try LoopbackClient.exchange(port: server.port, "GET /readyz HTTP/1.1\r\n\r\n")
        #expect(ready.hasPrefix("HTTP/1.1 200 OK\r\n"))
    }

    @Test func headOmitsBodyAndUnknownPathIs404() throws {
        let (server, _, _) = try makeServer()
        defer { server.stop() }
        let head = try LoopbackClient.exchange(port: server.port, "HEAD /metrics HTTP/1.1\r\n\r\n")
        #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(head.hasSuffix("\r\n\r\n"))
        let missing = try LoopbackClient.exchange(port: server.port, "GET /nope HTTP/1.1\r\n\r\n")
        #expect(missing.hasPrefix("HTTP/1.1 404 Not Found\r\n"))
    }

    @Test func badRequestsGetErrorsAndServerKeepsServing() throws {
        let (server, _, _) = try makeServer(limits: OperationsServerLimits(maxRequestBytes: 256))
        defer { server.stop() }

        let garbage = try LoopbackClient.exchange(port: server.port, "\u{01}\u{02}garbage\r\n\r\n")
        #expect(garbage.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))

        let huge = "GET /metrics HTTP/1.1\r\nX-Pad: " + String(repeating: "a", count: 1_000) + "\r\n\r\n"
        let tooLarge = try LoopbackClient.exchange(port: server.port, huge)
        #expect(tooLarge.hasPrefix("HTTP/1.1 431 "))

        // A client that sends half a request and hangs up.
        let quitter = try LoopbackClient(port: server.port)
        quitter.send("GET /met")
        quitter.close()

        let after = try LoopbackClient.exchange(port: server.port, "GET /healthz HTTP/1.1\r\n\r\n")
        #expect(after.hasPrefix("HTTP/1.1 200 OK\r\n"))
    }

    @Test func slowClientTimesOut() throws {
        let (server, _, _) = try makeServer(limits: OperationsServerLimits(readTimeoutMilliseconds: 200))
        defer { server.stop() }
        let client = try LoopbackClient(port: server.port)
        defer { client.close() }
        client.send("GET /metrics HTTP/1.1\r\n")
        #expect(client.readAll().hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
    }

    /// Sends three health probes, one after the other, and expects each to get 200.
    private func expectProbesAnswered(port: UInt16) throws {
        for _ in 0..<3 {
            let probe = try LoopbackClient(port: port, receiveTimeoutSeconds: 50)
            probe.send("GET /healthz HTTP/1.1\r\n\r\n")
            let healthz = probe.readAll()
            probe.close()
            #expect(healthz.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(healthz)")
        }
    }

    /// Probes get a response while 12 connections that send nothing stay open. The server would
    /// close those only after its 60 s read timeout, so the probes are served beside them. The
    /// limit is 16, and a closed probe's slot is freed a moment after the client sees the end.
    /// How fast the response comes is measured by hand (docs/hardening.md), not asserted here.
    @Test func idleConnectionsDoNotBlockProbe() throws {
        let (server, _, _) = try makeServer(limits: OperationsServerLimits(readTimeoutMilliseconds: 60_000))
        defer { server.stop() }
        var idle: [LoopbackClient] = []
        defer { for client in idle { client.close() } }
        for _ in 0..<12 {
            idle.append(try LoopbackClient(port: server.port))
        }
        try expectProbesAnswered(port: server.port)
    }

    /// At the limit, a new connection closes the one that has waited longest for its request
    /// head. Sixteen idle connections used to fill the server until the read timeout, and probes
    /// got 503 meanwhile. A connection that sent part of its head is kept during a grace period,
    /// so that a request still arriving gets its response.
    @Test func connectionAtLimitEvictsLongestWaiting() throws {
        let (server, _, _) = try makeServer(
            limits: OperationsServerLimits(
                readTimeoutMilliseconds: 60_000,
                maxConnections: 16,
                partialRequestGraceMilliseconds: 60_000,
                newConnectionGraceMilliseconds: 0
            )
        )
        defer { server.stop() }
        var idle: [LoopbackClient] = []
        defer { for client in idle { client.close() } }
        for _ in 0..<16 {
            idle.append(try LoopbackClient(port: server.port, receiveTimeoutSeconds: 50))
        }
        idle[0].send("GET /metrics HTTP/1.1\r\n")
        // Let the server read the partial head; nothing here is timed.
        usleep(300_000)
        let probe = try LoopbackClient.exchange(port: server.port, "GET /healthz HTTP/1.1\r\n\r\n")
        #expect(probe.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(probe)")
        // The probe closed the oldest silent connection, not the one whose request was arriving.
        idle[1].send("GET /metrics HTTP/1.1\r\n\r\n")
        #expect(idle[1].readAll() == "")
        idle[0].send("\r\n")
        #expect(idle[0].readAll().hasPrefix("HTTP/1.1 200 OK\r\n"))
    }

    /// A connection that trickles its head past the grace period loses its slot like a silent one.
    @Test func tricklingClientLosesSlot() throws {
        let (server, _, _) = try makeServer(
            limits: OperationsServerLimits(
                readTimeoutMilliseconds: 60_000,
                maxConnections: 2,
                partialRequestGraceMilliseconds: 100,
                newConnectionGraceMilliseconds: 60_000
            )
        )
        defer { server.stop() }
        let slow = try LoopbackClient(port: server.port, receiveTimeoutSeconds: 50)
        defer { slow.close() }
        slow.send("GET /metrics HTTP/1.1\r\n")
        let silent = try LoopbackClient(port: server.port, receiveTimeoutSeconds: 50)
        defer { silent.close() }
        // Past the slow client's grace; the silent one stays protected.
        usleep(500_000)
        let probe = try LoopbackClient.exchange(port: server.port, "GET /healthz HTTP/1.1\r\n\r\n")
        #expect(probe.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(probe)")
        slow.send("\r\n")
        #expect(slow.readAll() == "")
    }

    /// Every eviction passes a slot from one connection to another. A version that counted the
    /// new connection twice responded 503 to every request after a few bursts of idle connections.
    @Test func idleBurstsLeaveNoSlots() throws {
        let (server, _, _) = try makeServer(
            limits: OperationsServerLimits(readTimeoutMilliseconds: 60_000, maxConnections: 2)
        )
        defer { server.stop() }
        for _ in 0..<6 {
            let burst = try (0..<5).map { _ in try LoopbackClient(port: server.port, receiveTimeoutSeconds: 50) }
            for client in burst { client.close() }
        }
        // The burst's threads end when they see their peers close; retry the probe meanwhile,
        // for at most 30 s.
        var healthz = ""
        let deadline = MonotonicClock.milliseconds() + 30_000
        while MonotonicClock.milliseconds() < deadline {
            healthz = (try? LoopbackClient.exchange(port: server.port, "GET /healthz HTTP/1.1\r\n\r\n")) ?? ""
            if healthz.hasPrefix("HTTP/1.1 200 ") { break }
            usleep(50_000)
        }
        #expect(healthz.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(healthz)")
    }

    /// A connection whose request arrived but was not read yet is not evicted: under load, health
    /// probes got an empty reply when their thread had not parsed the request before the next
    /// connection arrived.
    @Test func unreadRequestIsKept() throws {
        let (server, _, _) = try makeServer(
            limits: OperationsServerLimits(readTimeoutMilliseconds: 60_000, maxConnections: 4)
        )
        defer { server.stop() }
        var answers: [String: Int] = [:]
        // Rounds of five clients against four slots, each sending its request as soon as it is
        // connected, as probes and scrapers do.
        for _ in 0..<20 {
            let clients = try (0..<5).map { _ in
                let client = try LoopbackClient(port: server.port, receiveTimeoutSeconds: 10)
                client.send("GET /healthz HTTP/1.1\r\n\r\n")
                return client
            }
            for client in clients {
                let response = client.readAll()
                answers[String(response.prefix(12)).isEmpty ? "empty" : String(response.prefix(12)), default: 0] += 1
                client.close()
            }
        }
        #expect(answers["empty"] == nil, "\(answers)")
    }

    /// With no connection left that is still reading, a new one gets 503.
    @Test func connectionBeyondLimitGets503() throws {
        let (server, _, _) = try makeServer(
            limits: OperationsServerLimits(readTimeoutMilliseconds: 3_000, maxConnections: 0)
        )
        defer { server.stop() }
        let rejected = try LoopbackClient.exchange(port: server.port, "GET /healthz HTTP/1.1\r\n\r\n")
        #expect(rejected.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"), "\(rejected)")
    }

    /// The rejected connection used to be closed with its request unread, so the kernel sent a
    /// reset, and clients often saw "connection reset" instead of the 503.
    @Test func rejectionHasNoReset() throws {
        let (server, _, _) = try makeServer(
            limits: OperationsServerLimits(readTimeoutMilliseconds: 3_000, maxConnections: 0)
        )
        defer { server.stop() }
        var answers: [String: Int] = [:]
        for _ in 0..<40 {
            let client = try LoopbackClient(port: server.port)
            client.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: test\r\n\r\n")
            let (response, code) = client.readAllWithError()
            client.close()
            let status = response.split(separator: "\r\n").first.map(String.init) ?? "no response"
            answers[code == 0 ? status : "\(status), then errno \(code)", default: 0] += 1
        }
        #expect(answers == ["HTTP/1.1 503 Service Unavailable": 40], "\(answers)")
    }

    @Test func portInUseAndBadHostAreReported() throws {
        let (server, _, _) = try makeServer()
        defer { server.stop() }
        #expect(throws: OperationsServerError.self) {
            _ = try OperationsServer(host: "127.0.0.1", port: server.port, logger: .discarding) { _ in
                HTTPResponse(status: 200, body: "")
            }
        }
        do {
            _ = try OperationsServer(host: "metrics.example", port: 0, logger: .discarding) { _ in
                HTTPResponse(status: 200, body: "")
            }
            Issue.record("a host name must be rejected")
        } catch {
            #expect("\(error)".contains("invalid --http-host 'metrics.example'"))
        }
        // 192.0.2.1 is a documentation address that no interface here has: binding fails, and
        // no packet is sent.
        do {
            _ = try OperationsServer(host: "192.0.2.1", port: 0, logger: .discarding) { _ in
                HTTPResponse(status: 200, body: "")
            }
            Issue.record("an address of no interface must be rejected")
        } catch {
            #expect("\(error)".contains("give --http-host an address of this machine"), "\(error)")
        }
    }

    @Test func stoppedServerRefusesConnections() throws {
        let (server, _, _) = try makeServer()
        let port = server.port
        server.stop()
        #expect(throws: ConnectionRefused.self) {
            _ = try LoopbackClient(port: port)
        }
    }

    @Test func randomBytesNeverStopServer() throws {
        let (server, _, _) = try makeServer(limits: OperationsServerLimits(readTimeoutMilliseconds: 200))
        defer { server.stop() }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<30 {
            let length = Int.random(in: 1..<600, using: &generator)
            let scalars = (0..<length).map { _ in
                Character(Unicode.Scalar(UInt8.random(in: 1...127, using: &generator)))
            }
            let client = try LoopbackClient(port: server.port)
            client.send(String(scalars) + (Bool.random(using: &generator) ? "\r\n\r\n" : ""))
            let response = client.readAll()
            client.close()
            #expect(response.isEmpty || response.hasPrefix("HTTP/1.1 "))
        }
        let after = try LoopbackClient.exchange(port: server.port, "GET /healthz HTTP/1.1\r\n\r\n")
        #expect(after.hasPrefix("HTTP/1.1 200 OK\r\n"))
    }
}
