import StreamCore

/// An aggregation over the events of one window pane or of a key's whole history.
///
/// The engine keeps one `State` per non-empty pane (window features) or per key (key and clock
/// features). It calls ``update(_:with:)`` once per accepted event that passes the feature's
/// event-type filter and combines panes with ``merge(_:with:)`` when it evaluates a window.
/// States are serialized into checkpoints. Implementations must make `merge` associative and
/// commutative with ``emptyState`` as identity, so that any split of the events into panes gives
/// the value of one pane holding them all; ``verifyAggregator(_:cases:)`` checks that.
///
/// An aggregator value is immutable configuration (parameters) and is shared across keys and
/// threads; states belong to one partition engine.
public protocol Aggregator: Sendable {
    /// The per-pane (or per-key) state. Keep it small, because the engine stores one per non-empty pane.
    associatedtype State: Sendable & Equatable

    /// The state of a pane with no events.
    var emptyState: State { get }

    /// Adds one event to `state`.
    func update(_ state: inout State, with event: Event)

    /// Adds every event of `other` to `state`.
    func merge(_ state: inout State, with other: State)

    /// Returns `true` when `state` contains no event. A window feature whose state is empty does not keep
    /// its key alive.
    func isEmpty(_ state: State) -> Bool

    /// Computes the feature value of `state` at tick `tick` (ms). Only clock aggregators read `tick`.
    func evaluate(_ state: State, at tick: Int64) -> FeatureValue

    /// Writes `state` for a checkpoint.
    func encode(_ state: State, into writer: inout StateWriter)

    /// Reads a state written by ``encode(_:into:)``.
    /// - Throws: ``StateDecodingError`` when the bytes are truncated or inconsistent.
    func decode(from reader: inout StateReader) throws(StateDecodingError) -> State

    /// Estimates the heap and inline bytes `state` occupies, for memory accounting. An estimate for
    /// variable-size states.
    func memoryBytes(of state: State) -> Int

    /// `true` when ``evaluate(_:at:)`` reads `tick`, so that the value changes between events (a
    /// decayed sum). Such an aggregator can back only a `clock` feature: the engine evaluates
    /// window and key features only when their events change. Default `false`.
    var readsTick: Bool { get }

    /// The version of the bytes ``encode(_:into:)`` writes. Raise it with every change to the
    /// encoding: it enters the feature set's definition digest, so a worker rejects checkpoints
    /// written with another version instead of decoding them wrongly. Default 1.
    var stateFormatVersion: Int { get }
}

extension Aggregator {
    /// Returns the inline size of the state type, which is exact for fixed-size states.
    public func memoryBytes(of state: State) -> Int { MemoryLayout<State>.size }

    public var readsTick: Bool { false }

    public var stateFormatVersion: Int { 1 }
}
