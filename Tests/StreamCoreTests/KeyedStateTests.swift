import Testing

@testable import StreamCore

@Suite struct KeyedStateTests {
    @Test func tickScheduleHandsOutTicksInOrder() {
        var schedule = TickSchedule()
        for (tick, slot) in [(30, 1), (10, 2), (20, 3), (10, 4), (30, 5), (10, 2)] {
            schedule.schedule(UInt32(slot), at: Int64(tick))
        }
        #expect(schedule.tickCount == 3)
        #expect(schedule.takeFirst(dueBy: 5) == nil, "nothing is due before tick 10")
        var removed: [(Int64, [UInt32])] = []
        while let (tick, slots) = schedule.takeFirst(dueBy: 25) {
            removed.append((tick, slots))
            schedule.recycle(slots)
        }
        #expect(removed.map(\.0) == [10, 20])
        #expect(removed.map(\.1) == [[2, 4, 2], [3]], "slots keep insertion order, duplicates included")
        schedule.schedule(9, at: 40)
        #expect(schedule.firstTick == 30)
        #expect(schedule.takeFirst(dueBy: .max)?.slots == [1, 5])
        #expect(schedule.takeFirst(dueBy: .max)?.slots == [9])
        #expect(schedule.takeFirst(dueBy: .max) == nil)
    }

    @Test func keyIndexCandidateIsTheSlotOfTheKeysHash() {
        let index = KeyIndex(capacity: 4, seed: 7)
        let keys: [[UInt8]] = (0..<3_000).map { Array("m\($0)".utf8) }
        func hash(_ key: [UInt8]) -> UInt64 { key.withUnsafeBytes { index.hash($0) } }
        #expect(index.candidate(hash: hash(keys[0])) == nil, "an empty index has no candidate")
        for (slot, key) in keys.enumerated() { index.insert(hash: hash(key), slot: UInt32(slot)) }
        // 32 tag bits: for 3,000 keys a shared tag in one probe run is far too rare to expect.
        for (slot, key) in keys.enumerated() { #expect(index.candidate(hash: hash(key)) == UInt32(slot)) }
        #expect(index.candidate(hash: hash(Array("absent".utf8))) == nil)
        for (slot, key) in keys.enumerated() where slot % 2 == 0 { index.remove(hash: hash(key), slot: UInt32(slot)) }
        #expect(index.candidate(hash: hash(keys[0])) == nil)
        #expect(index.candidate(hash: hash(keys[1])) == 1)
    }

    @Test func keyIndexFindsInsertsAndRemovesUnderGrowth() {
        let index = KeyIndex(capacity: 4, seed: 42)
        var keys: [[UInt8]] = (0..<5_000).map { Array("meme-\($0)".utf8) }
        keys.append([])
        keys.append(Array(repeating: 0, count: 200))
        func hash(_ key: [UInt8]) -> UInt64 { key.withUnsafeBytes { index.hash($0) } }
        func find(_ key: [UInt8]) -> UInt32? { index.find(hash: hash(key)) { keys[Int($0)] == key } }
        for (slot, key) in keys.enumerated() {
            #expect(find(key) == nil)
            index.insert(hash: hash(key), slot: UInt32(slot))
        }
        #expect(index.count == keys.count)
        for (slot, key) in keys.enumerated() { #expect(find(key) == UInt32(slot)) }
        // Remove every third key; the others must stay reachable across the shifted runs.
        for (slot, key) in keys.enumerated() where slot % 3 == 0 { index.remove(hash: hash(key), slot: UInt32(slot)) }
        for (slot, key) in keys.enumerated() {
            #expect(find(key) == (slot % 3 == 0 ? nil : UInt32(slot)))
        }
        index.remove(hash: hash(keys[0]), slot: 0)
        #expect(index.count == keys.count - (keys.count + 2) / 3)
    }

    @Test func keyIndexFillsToFourFifths() {
        let index = KeyIndex(capacity: 16, seed: 3)
        #expect(index.tableBytes == 32 * 8, "16 keys fit a table of 32 entries at four fifths")
        for slot in 0..<25 { index.insert(hash: UInt64(slot) &* 0x9E37_79B9_7F4A_7C15, slot: UInt32(slot)) }
        #expect(index.tableBytes == 32 * 8, "25 of 32 entries is still under four fifths")
        index.insert(hash: 99, slot: 25)
        #expect(index.tableBytes == 64 * 8, "the 26th key grows the table")
        for slot in 0..<26 {
            let hash: UInt64 = slot == 25 ? 99 : UInt64(slot) &* 0x9E37_79B9_7F4A_7C15
            #expect(index.find(hash: hash) { $0 == UInt32(slot) } == UInt32(slot))
        }
    }

    @Test func tickScheduleDropsLargeSpareArrays() {
        var schedule = TickSchedule()
        for slot in 0..<5_000 { schedule.schedule(UInt32(slot), at: 10) }
        schedule.schedule(1, at: 20)
        let busy = schedule.estimatedBytes
        #expect(busy >= 5_000 * 4)
        let (_, slots) = schedule.takeFirst(dueBy: 10)!
        schedule.recycle(slots)
        #expect(schedule.estimatedBytes < busy - 5_000 * 4 + 4_096, "a tick's large array is freed, not kept")
        let (_, small) = schedule.takeFirst(dueBy: 20)!
        schedule.recycle(small)
        #expect(schedule.estimatedBytes > 0, "a small array is kept for the next tick")
    }

    @Test func keyIndexSurvivesCollidingHashes() {
        // Every key under one hash: a single probe run, removed from its middle.
        let index = KeyIndex(capacity: 16, seed: 1)
        for slot in 0..<20 { index.insert(hash: 7, slot: UInt32(slot)) }
        for slot in stride(from: 0, to: 20, by: 2) { index.remove(hash: 7, slot: UInt32(slot)) }
        for slot in 0..<20 {
            let found = index.find(hash: 7) { $0 == UInt32(slot) }
            #expect(found == (slot % 2 == 0 ? nil : UInt32(slot)))
        }
    }

    @Test func wordArenaReusesReleasedBlocksBySizeClass() {
        let arena = WordArena(initialWords: 64)
        #expect(WordArena.sizeClass(holding: 1) == 0)
        for words in 1...5_000 {
            let sizeClass = WordArena.sizeClass(holding: words)
            #expect(WordArena.words(inClass: sizeClass) >= words)
            if sizeClass > 0 { #expect(WordArena.words(inClass: sizeClass - 1) < words) }
        }
        let classes = (0..<20).map { WordArena.words(inClass: UInt8($0)) }
        #expect(classes == [8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 22, 24, 26, 28, 30, 32, 36, 40, 44])
        let first = arena.allocate(words: 9)
        #expect(WordArena.words(inClass: first.sizeClass) == 9)
        arena.pointer(to: first).update(repeating: 7, count: 9)
        var blocks = (0..<1_000).map { _ in arena.allocate(words: 17) }
        #expect(arena.pointer(to: first)[8] == 7, "growing the pool keeps the content of blocks")
        let released = blocks.removeLast()
        arena.release(released)
        #expect(arena.allocate(words: 17) == released, "a released block is handed out again")
        #expect(arena.liveWords == 9 + 1_000 * 18)
    }

    @Test func compactionKeepsBlockContent() {
        let arena = WordArena(initialWords: 64)
        var generator = SplitMix64(seed: 11)
        // Blocks with a length in use and content derived from their index.
        var live: [(block: WordArena.Block, used: Int, tag: UInt64)] = []
        for index in 0..<2_000 {
            let used = Int.random(in: 1...40, using: &generator)
            let block = arena.allocate(words: used)
            let tag = UInt64(index) << 8
            for word in 0..<used { arena.pointer(to: block)[word] = tag + UInt64(word) }
            live.append((block, used, tag))
        }
        for index in stride(from: live.count - 1, through: 0, by: -1) where index % 3 != 0 {
            arena.release(live[index].block)
            live.remove(at: index)
        }
        #expect(arena.freeWords > 0)
        live.sort { $0.block.offset < $1.block.offset }
        var blocks = live.map(\.block)
        arena.compact(
            count: live.count,
            block: { live[$0].block },
            keeping: { live[$0].used },
            moved: { blocks[$0] = $1 }
        )
        #expect(arena.freeWords == 0)
        var end = 0
        for (index, block) in blocks.enumerated() {
            #expect(Int(block.offset) == end, "blocks sit back to back in the order given")
            #expect(block.sizeClass == WordArena.sizeClass(holding: live[index].used))
            end += WordArena.words(inClass: block.sizeClass)
            let words = arena.pointer(to: block)
            let intact = (0..<live[index].used).allSatisfy { words[$0] == live[index].tag + UInt64($0) }
            #expect(intact, "block \(index) keeps its words in use")
        }
        #expect(arena.liveWords == end)
        #expect(arena.touchedBytes == end * 8)
        let next = arena.allocate(words: 3)
        #expect(Int(next.offset) == end, "the pool grows from the end of the last block")
    }
}
