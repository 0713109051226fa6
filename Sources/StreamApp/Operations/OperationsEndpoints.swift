import StreamCore

extension OperationsServer {
    /// Binds the operations server for `/metrics`, `/healthz` and `/readyz` and starts it.
    ///
    /// - Parameters:
    ///   - host: An IP literal or `localhost` (`--http-host`).
    ///   - port: The TCP port, 0 for an ephemeral one (`--http-port`).
    ///   - metrics: The registry `/metrics` renders.
    ///   - health: The state `/healthz` and `/readyz` report.
    ///   - limits: Request and connection bounds.
    ///   - logger: Receives start, stop and failure entries.
    /// - Returns: The running server; read ``port`` for the bound port and call ``stop()`` at
    ///   shutdown.
    /// - Throws: ``OperationsServerError`` when the address cannot be bound.
    static func startEndpoints(
        host: String,
        port: UInt16,
        metrics: MetricsRegistry,
        health: HealthMonitor,
        limits: OperationsServerLimits = OperationsServerLimits(),
        logger: Logger
    ) throws -> OperationsServer {
        let routes = OperationsRoutes(metrics: metrics, health: health)
        let server = try OperationsServer(host: host, port: port, limits: limits, logger: logger) { request in
            routes.respond(to: request)
        }
        server.start()
        return server
    }
}
