import StreamCore

extension PartitionEngine {
    /// Rewrites the panes of window column `column` of every key in the wide layout (a start word
    /// and the state's words per pane). The engine itself never widens a packed column. Tests
    /// call this to check that both layouts give the same output and state.
    /// - Complexity: O(keys + words of the column).
    func widenPanes(ofColumn column: Int) {
        relayPanes(ofColumn: column, packed: false)
    }

    /// Rewrites the panes of window column `column` of every key in the packed layout, when the
    /// column can pack them.
    /// - Complexity: O(keys + words of the column).
    func packPanes(ofColumn column: Int) {
        guard plan.columns[column].canBePacked else { return }
        relayPanes(ofColumn: column, packed: true)
    }

    /// Re-lays the panes of `column` of every key in the packed or the wide layout.
    private func relayPanes(ofColumn column: Int, packed: Bool) {
        let object = plan.columns[column]
        guard object.isPacked != packed else { return }
        var wide: [UInt64] = []
        for slot in slots.indices where slots[slot].keyLength != 0 {
            locateColumns(slot)
            let oldUnits = columnCounts[column]
            guard oldUnits > 0 else { continue }
            wide.removeAll(keepingCapacity: true)
            let panes = object.appendPanesWide(
                ColumnRegion(words: blockPointer(slot) + columnOffsets[column], paneCount: oldUnits),
                to: &wide
            )
            let start = columnOffsets[column] + layouts[column].fixedWords
            removeWords(slot, at: start, count: oldUnits * layouts[column].paneWords)
            object.setPacked(packed)
            let newUnits = wide.withUnsafeBufferPointer { object.units(forWide: $0.baseAddress!, count: panes) }
            insertWords(slot, at: start, count: newUnits * object.paneWords)
            wide.withUnsafeBufferPointer { buffer in
                object.writePanes(
                    fromWide: buffer.baseAddress!,
                    count: panes,
                    to: ColumnRegion(words: blockPointer(slot) + start, paneCount: newUnits)
                )
            }
            object.setPacked(!packed)
            while newUnits > layouts[column].maximumCount, countLevel < Self.widestCountLevel { widenPaneCounts() }
            setPaneCount(slot, header: headerStart(slot), column: column, to: newUnits)
        }
        object.setPacked(packed)
        layouts[column].paneWords = object.paneWords
    }
}
