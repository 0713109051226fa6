import StreamCore

/// Maps a request to the response of an operations endpoint.
///
/// - `GET /metrics`: the registry in Prometheus text format 0.0.4.
/// - `GET /healthz`: 200 while the main loop reported alive within the timeout, else 503.
/// - `GET /readyz`: 200 when every assigned partition is restored, else 503 with the reason.
/// - Any other path: 404. Methods other than `GET` and `HEAD`: 405.
struct OperationsRoutes: Sendable {
    /// The metrics `/metrics` renders.
    var metrics: MetricsRegistry
    /// The state `/healthz` and `/readyz` report.
    var health: HealthMonitor

    /// Returns the response to `request`. `HEAD` gets the `GET` response; the server drops the body.
    func respond(to request: HTTPRequestHead) -> HTTPResponse {
        guard request.method == "GET" || request.method == "HEAD" else {
            return HTTPResponse(status: 405, body: "method \(request.method) not allowed; use GET or HEAD\n")
        }
        switch request.path {
        case "/metrics":
            return HTTPResponse(
                status: 200,
                contentType: MetricsRegistry.prometheusContentType,
                body: metrics.prometheusText()
            )
        case "/healthz":
            let status = health.liveness()
            return HTTPResponse(status: status.isHealthy ? 200 : 503, body: status.reason + "\n")
        case "/readyz":
            let status = health.readiness()
            return HTTPResponse(status: status.isHealthy ? 200 : 503, body: status.reason + "\n")
        default:
            return HTTPResponse(status: 404, body: "not found: \(request.path); try /metrics, /healthz or /readyz\n")
        }
    }
}
