/// Bounds that keep the operations HTTP server cheap under bad or abusive clients.
struct OperationsServerLimits: Sendable, Hashable {
    /// The largest request head accepted, in bytes; larger requests get 431. Default 8 KiB.
    var maxRequestBytes: Int = 8_192
    /// How long a client may take to send its request head, in ms; slower clients get 408.
    /// The same bound applies to sending the response. Default 5 000 ms.
    var readTimeoutMilliseconds: Int64 = 5_000
    /// Connections served at once. One more closes another to make room (docs/operations.md), or
    /// gets 503 when none may be closed. Default 16.
    var maxConnections: Int = 16
    /// How long a connection that sent part of its request head is kept from being closed for
    /// room, in ms. A client that sends its head in one piece gets its response well within
    /// it. A client that trickles bytes may lose its slot after it. A retest kept probes waiting 6 to 27 s with
    /// bursts of half-sent requests under a grace of 1 s. Default 200 ms.
    var partialRequestGraceMilliseconds: Int64 = 200
    /// How long a new connection that has sent nothing is kept, in ms: its client may be between
    /// `connect` and `send`. Without it, more than 16 well-behaved clients got empty replies and
    /// resets. Default 50 ms.
    var newConnectionGraceMilliseconds: Int64 = 50
}
