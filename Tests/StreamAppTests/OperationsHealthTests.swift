import StreamCore
import Synchronization
import Testing

@testable import StreamApp

private final class TestClock: Sendable {
    private let now = Atomic<Int64>(10_000)

    func advance(by milliseconds: Int64) {
        now.add(milliseconds, ordering: .relaxed)
    }

    var milliseconds: Int64 { now.load(ordering: .relaxed) }
}

@Suite struct OperationsHealthTests {
    @Test func livenessFailsAfterTimeoutAndRecovers() {
        let clock = TestClock()
        let monitor = HealthMonitor(livenessTimeoutMilliseconds: 1_000) { clock.milliseconds }
        #expect(monitor.liveness().isHealthy)

        clock.advance(by: 1_001)
        let stale = monitor.liveness()
        #expect(!stale.isHealthy)
        #expect(stale.reason.contains("1001 ms"))

        monitor.reportAlive()
        #expect(monitor.liveness().isHealthy)
    }

    @Test func readinessWaitsForFirstAssignment() {
        let monitor = HealthMonitor(livenessTimeoutMilliseconds: 1_000)
        let status = monitor.readiness()
        #expect(!status.isHealthy)
        #expect(status.reason.contains("first partition assignment"))

        monitor.assign([])
        #expect(monitor.readiness().isHealthy)
    }

    @Test func readinessNamesUnrestoredPartitions() {
        let monitor = HealthMonitor(livenessTimeoutMilliseconds: 1_000)
        monitor.assign([0, 1, 2])
        monitor.markRestored(1)
        monitor.markRestored(7)

        let pending = monitor.readiness()
        #expect(!pending.isHealthy)
        #expect(pending.reason == "partitions not yet restored: 0,2")

        monitor.revoke([2])
        monitor.markRestored(0)
        #expect(monitor.readiness().isHealthy)

        monitor.assign([2])
        #expect(monitor.readiness().reason == "partitions not yet restored: 2")
    }

    @Test(arguments: [
        ("GET", "/metrics", 200),
        ("HEAD", "/metrics", 200),
        ("GET", "/healthz", 200),
        ("GET", "/readyz", 503),
        ("GET", "/", 404),
        ("GET", "/metrics/extra", 404),
        ("POST", "/metrics", 405),
    ])
    func routesMapPathsToStatus(method: String, path: String, status: Int) {
        let registry = MetricsRegistry(registering: MetricDescriptor.all)
        let routes = OperationsRoutes(metrics: registry, health: HealthMonitor(livenessTimeoutMilliseconds: 60_000))
        let response = routes.respond(to: HTTPRequestHead(method: method, path: path, version: "HTTP/1.1"))
        #expect(response.status == status)
    }

    @Test func metricsRouteUsesPrometheusContentType() {
        let registry = MetricsRegistry(registering: MetricDescriptor.all)
        let routes = OperationsRoutes(metrics: registry, health: HealthMonitor(livenessTimeoutMilliseconds: 60_000))
        let response = routes.respond(to: HTTPRequestHead(method: "GET", path: "/metrics", version: "HTTP/1.1"))
        #expect(response.contentType == "text/plain; version=0.0.4; charset=utf-8")
        #expect(String(decoding: response.body, as: UTF8.self).contains("memestream_records_emitted_total 0"))
    }
}
