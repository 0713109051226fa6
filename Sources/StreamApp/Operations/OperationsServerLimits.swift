/// Bounds that keep the operations HTTP server cheap under bad or abusive clients.
struct OperationsServerLimits: Sendable, Hashable {
    /// The largest request head accepted, in bytes; larger requests get 431. Default 8 KiB.
    var maxRequestBytes: Int = 8_192
    /// How long a client may take to send its request head, in ms; slower clients get 408.
    /// The same bound applies to sending the response. Default 5 000 ms.
    var readTimeoutMilliseconds: Int64 = 5_000
    /// Connections served at once. One more closes the connection that has waited longest for
    /// its request head, or gets 503 when every connection is sending its response. Default 16.
    var maxConnections: Int = 16
}
