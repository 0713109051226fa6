/// A binary min-heap of pending events ordered by (arrival time, generation sequence).
///
/// Complexity: ``insert(_:)`` and ``removeFirst()`` are O(log n). Its size is about
/// events per second × mean delay, dominated by the late class (minutes).
struct ArrivalQueue {
    private var heap: [PendingEvent] = []

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    /// The event that arrives first, without removing it.
    var first: PendingEvent? { heap.first }

    @inline(__always)
    private static func precedes(_ lhs: PendingEvent, _ rhs: PendingEvent) -> Bool {
        if lhs.arrivalMilliseconds != rhs.arrivalMilliseconds {
            return lhs.arrivalMilliseconds < rhs.arrivalMilliseconds
        }
        return lhs.sequence < rhs.sequence
    }

    mutating func insert(_ event: PendingEvent) {
        heap.append(event)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard ArrivalQueue.precedes(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the event that arrives first. The queue must not be empty.
    mutating func removeFirst() -> PendingEvent {
        let first = heap[0]
        let last = heap.removeLast()
        guard !heap.isEmpty else { return first }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { break }
            var smallest = left
            let right = left + 1
            if right < heap.count, ArrivalQueue.precedes(heap[right], heap[left]) {
                smallest = right
            }
            guard ArrivalQueue.precedes(heap[smallest], heap[parent]) else { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return first
    }
}
