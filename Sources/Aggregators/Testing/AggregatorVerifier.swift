import StreamCore

/// One input for ``verifyAggregator(_:cases:relativeTolerance:)``: events and the tick to
/// evaluate them at.
public struct AggregatorVerificationCase: Sendable {
    /// A name for failure messages.
    public var name: String
    /// The events, in arrival order.
    public var events: [Event]
    /// The tick the state is evaluated at, in ms.
    public var tick: Int64

    /// Creates a case.
    public init(name: String, events: [Event], tick: Int64) {
        self.name = name
        self.events = events
        self.tick = tick
    }
}

/// A failed aggregator check, with everything needed to reproduce it.
public struct AggregatorVerificationError: Error, Sendable, CustomStringConvertible {
    /// The case that failed.
    public var caseName: String
    /// The property that failed, such as `merge of [0, 3) and [3, 7)` or `encode and decode`.
    public var check: String
    /// The case's events.
    public var events: [Event]
    /// The tick evaluated at, in ms.
    public var tick: Int64
    /// The value of the events folded in order.
    public var expected: FeatureValue
    /// The value the check produced.
    public var actual: FeatureValue
    /// The fault of a check that is not about the value, such as an empty state that is not
    /// empty or bytes left after decoding; `nil` when the values differ.
    public var detail: String?

    public var description: String {
        let outcome = detail ?? "expected \(expected), got \(actual)"
        return "aggregator check \"\(check)\" failed for case \"\(caseName)\" at tick \(tick): \(outcome) "
            + "(\(events.count) events)"
    }
}

/// Checks the properties the engine relies on for an aggregator, for each case:
///
/// 1. Folding the events in order gives the reference value.
/// 2. Splitting the events at every position into two panes and merging them, in both orders,
///    gives the same value, and merging with ``Aggregator/emptyState`` changes nothing.
/// 3. Splitting them into panes of three events merged from the last to the first gives it.
/// 4. Folding the events in reverse order gives it (the engine accepts out-of-order events).
/// 5. Encoding and decoding the state gives an equal state, reads every byte written, and
///    evaluates to the same value.
/// 6. ``Aggregator/isEmpty(_:)`` is `true` for ``Aggregator/emptyState`` (the engine drops a pane
///    or a key whose states are all empty).
///
/// Floats compare within `relativeTolerance` (default 10^-12 of the larger magnitude), because
/// a different summation order may round differently. Integers and nulls compare exactly.
///
/// - Throws: ``AggregatorVerificationError`` for the first failing check, with its inputs, and
///   when `cases` is empty or no case has an event (nothing would be checked).
public func verifyAggregator<A: Aggregator>(
    _ aggregator: A,
    cases: [AggregatorVerificationCase],
    relativeTolerance: Double = 1e-12
) throws(AggregatorVerificationError) {
    guard cases.contains(where: { !$0.events.isEmpty }) else {
        throw AggregatorVerificationError(
            caseName: cases.first?.name ?? "(none)",
            check: "at least one case with events",
            events: [],
            tick: cases.first?.tick ?? 0,
            expected: .null,
            actual: .null,
            detail: "\(cases.count) cases and no event, so nothing would be checked; give cases with events that "
                + "the aggregator counts"
        )
    }
    for verificationCase in cases {
        let events = verificationCase.events
        let tick = verificationCase.tick
        guard aggregator.isEmpty(aggregator.emptyState) else {
            let value = aggregator.evaluate(aggregator.emptyState, at: tick)
            throw AggregatorVerificationError(
                caseName: verificationCase.name,
                check: "isEmpty(emptyState) must return true",
                events: [],
                tick: tick,
                expected: value,
                actual: value,
                detail: "isEmpty(emptyState) returned false, so the engine would keep every empty pane and key; "
                    + "return true for the state emptyState gives"
            )
        }
        let fold = { (slice: ArraySlice<Event>) -> A.State in
            var state = aggregator.emptyState
            for event in slice { aggregator.update(&state, with: event) }
            return state
        }
        let whole = fold(events[...])
        let expected = aggregator.evaluate(whole, at: tick)
        func check(_ name: String, _ state: A.State) throws(AggregatorVerificationError) {
            let actual = aggregator.evaluate(state, at: tick)
            guard valuesAgree(actual, expected, relativeTolerance: relativeTolerance) else {
                throw AggregatorVerificationError(
                    caseName: verificationCase.name,
                    check: name,
                    events: events,
                    tick: tick,
                    expected: expected,
                    actual: actual
                )
            }
        }

        for split in 0...events.count {
            let head = fold(events[..<split])
            let tail = fold(events[split...])
            var forward = head
            aggregator.merge(&forward, with: tail)
            try check("merge of [0, \(split)) and [\(split), \(events.count))", forward)
            var backward = tail
            aggregator.merge(&backward, with: head)
            try check("merge of [\(split), \(events.count)) and [0, \(split))", backward)
        }
        var withEmpty = whole
        aggregator.merge(&withEmpty, with: aggregator.emptyState)
        try check("merge with the empty state", withEmpty)
        var intoEmpty = aggregator.emptyState
        aggregator.merge(&intoEmpty, with: whole)
        try check("merge into the empty state", intoEmpty)

        var panes = aggregator.emptyState
        for start in stride(from: 0, to: events.count, by: 3).reversed() {
            aggregator.merge(&panes, with: fold(events[start..<min(start + 3, events.count)]))
        }
        try check("panes of three merged last to first", panes)
        try check("events in reverse order", fold(events.reversed()[...]))

        var writer = StateWriter()
        aggregator.encode(whole, into: &writer)
        var reader = StateReader(writer.bytes)
        let decoded: A.State
        do {
            decoded = try aggregator.decode(from: &reader)
        } catch {
            throw AggregatorVerificationError(
                caseName: verificationCase.name,
                check: "decode: \(error)",
                events: events,
                tick: tick,
                expected: expected,
                actual: .null
            )
        }
        guard decoded == whole, reader.isAtEnd else {
            let problem =
                decoded != whole
                ? "the decoded state differs from the encoded one (\(decoded) against \(whole))"
                : "decode read fewer than the \(writer.bytes.count) bytes encode wrote"
            throw AggregatorVerificationError(
                caseName: verificationCase.name,
                check: "encode and decode",
                events: events,
                tick: tick,
                expected: expected,
                actual: aggregator.evaluate(decoded, at: tick),
                detail: problem + "; make decode read exactly what encode writes"
            )
        }
        try check("encode and decode", decoded)
    }
}

/// `true` when two values are equal, floats within `relativeTolerance`.
func valuesAgree(_ lhs: FeatureValue, _ rhs: FeatureValue, relativeTolerance: Double) -> Bool {
    switch (lhs, rhs) {
    case (.float(let left), .float(let right)):
        return left == right || abs(left - right) <= relativeTolerance * max(abs(left), abs(right))
    default:
        return lhs == rhs
    }
}
