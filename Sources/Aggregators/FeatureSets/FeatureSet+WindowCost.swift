/// A window feature whose key may keep more panes than the engine packs: each evaluation merges
/// every pane of the window, so a key with steady traffic costs up to ``panes`` merges per record.
public struct WindowCost: Sendable, CustomStringConvertible {
    /// The feature's name.
    public var feature: String
    /// The maximum number of panes a key may keep: `(size + delay) / hop + 2`.
    public var panes: Int64
    /// The window size, in ms.
    public var sizeMilliseconds: Int64
    /// The window hop, in ms.
    public var hopMilliseconds: Int64
    /// The smallest hop that keeps the panes packed, or `nil` when no valid hop does.
    public var packedHopMilliseconds: Int64?

    public var description: String {
        var text =
            "feature \"\(feature)\" keeps up to \(panes) panes per key (size \(sizeMilliseconds) ms, hop "
            + "\(hopMilliseconds) ms), and each evaluation merges all of them, so a key with steady traffic costs "
            + "up to that many merges per record"
        if let packedHopMilliseconds {
            text +=
                "; a hop of \(packedHopMilliseconds) ms keeps it to \(WindowColumn<CountAggregator>.maximumPackedPanes)"
        }
        return text
    }
}

extension FeatureSet {
    /// Returns the window features whose key may keep more panes than the engine packs; empty
    /// for `meme_v1`.
    ///
    /// A key keeps panes for `(S + delayMilliseconds) / H + 2` hops, where the delay is the
    /// allowed lateness plus the out-of-orderness (docs/features.md).
    /// - Complexity: O(features × S / tick) in the worst case, at load time only.
    public func windowCosts(tickMilliseconds: Int64, delayMilliseconds: Int64) -> [WindowCost] {
        let limit = WindowColumn<CountAggregator>.maximumPackedPanes
        return features.compactMap { feature -> WindowCost? in
            guard case .aggregate(let specification) = feature.computation,
                let size = specification.sizeMilliseconds, let hop = specification.hopMilliseconds, hop > 0
            else { return nil }
            let panes = (size + delayMilliseconds) / hop + 2
            guard panes > limit else { return nil }
            return WindowCost(
                feature: feature.name,
                panes: panes,
                sizeMilliseconds: size,
                hopMilliseconds: hop,
                packedHopMilliseconds: Self.smallestPackedHop(
                    size: size,
                    delay: delayMilliseconds,
                    tick: tickMilliseconds
                )
            )
        }
    }

    /// Returns the smallest hop that is a multiple of `tick`, divides `size` and keeps the panes
    /// within the packed limit, or `nil` when none does.
    private static func smallestPackedHop(size: Int64, delay: Int64, tick: Int64) -> Int64? {
        let limit = WindowColumn<CountAggregator>.maximumPackedPanes
        guard tick > 0 else { return nil }
        // (size + delay) / hop + 2 <= limit holds for every hop above (size + delay) / (limit - 2).
        var hop = ((size + delay) / (limit - 2) / tick + 1) * tick
        // At most size / tick steps.
        while hop <= size {
            if size % hop == 0 && (size + delay) / hop + 2 <= limit { return hop }
            hop += tick
        }
        return nil
    }
}
