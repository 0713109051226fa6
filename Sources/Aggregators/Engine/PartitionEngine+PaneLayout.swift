import StreamCore

extension PartitionEngine {
    /// Rewrites the panes of window column `column` of every key in whole words. The engine calls
    /// it when an event needs a pane start or a state word that 32-bit lanes cannot hold, such as
    /// a mean over more than 2^31 ms of dwell in one pane. The column stays wide from then on.
    /// - Complexity: O(keys + words of the column).
    func widenPanes(ofColumn column: Int) {
        relayPanes(ofColumn: column, narrow: false)
    }

    /// Switches every column that can use 32-bit lanes to them when all of its panes fit. A
    /// restored engine decodes its columns wide and then calls this.
    /// - Complexity: O(state words).
    func narrowPanesWhereTheyFit() {
        for column in 0..<columnCount {
            let object = plan.columns[column]
            guard object.canBeNarrow, !object.isNarrow else { continue }
            var fits = true
            for slot in slots.indices where slots[slot].keyLength != 0 {
                locateColumns(slot)
                let region = ColumnRegion(
                    words: blockPointer(slot) + columnOffsets[column],
                    paneCount: columnCounts[column]
                )
                if !object.panesFitNarrow(region) {
                    fits = false
                    break
                }
            }
            if fits { relayPanes(ofColumn: column, narrow: true) }
        }
    }

    /// Sets every column to whole words while no key has state, before a restore decodes panes.
    func useWidePanesForRestore() {
        precondition(keyIndex.count == 0, "the layout changes without rewriting only while there are no keys")
        for column in 0..<columnCount where plan.columns[column].isNarrow {
            plan.columns[column].setNarrow(false)
            layouts[column].paneWords = plan.columns[column].paneWords
        }
    }

    /// Re-lays the panes of `column` of every key in the narrow or the wide layout.
    private func relayPanes(ofColumn column: Int, narrow: Bool) {
        let object = plan.columns[column]
        guard object.isNarrow != narrow else { return }
        let oldPaneWords = object.paneWords
        object.setNarrow(narrow)
        let newPaneWords = object.paneWords
        object.setNarrow(!narrow)
        var wide: [UInt64] = []
        for slot in slots.indices where slots[slot].keyLength != 0 {
            locateColumns(slot)
            let count = columnCounts[column]
            guard count > 0 else { continue }
            wide.removeAll(keepingCapacity: true)
            wide.append(contentsOf: repeatElement(0, count: count * object.widePaneWords))
            wide.withUnsafeMutableBufferPointer { buffer in
                object.copyPanesWide(
                    ColumnRegion(words: blockPointer(slot) + columnOffsets[column], paneCount: count),
                    to: buffer.baseAddress!
                )
            }
            let panes = columnOffsets[column] + layouts[column].fixedWords
            if newPaneWords > oldPaneWords {
                insertWords(slot, at: panes, count: count * (newPaneWords - oldPaneWords))
            } else if newPaneWords < oldPaneWords {
                removeWords(slot, at: panes, count: count * (oldPaneWords - newPaneWords))
            }
            object.setNarrow(narrow)
            wide.withUnsafeBufferPointer { buffer in
                object.writePanes(
                    fromWide: buffer.baseAddress!,
                    count: count,
                    to: ColumnRegion(words: blockPointer(slot) + panes, paneCount: count)
                )
            }
            object.setNarrow(!narrow)
        }
        object.setNarrow(narrow)
        layouts[column].paneWords = newPaneWords
    }
}
