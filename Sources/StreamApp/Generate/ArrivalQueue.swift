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
        // Sift up by moving parents down into the hole, then place the event once.
        heap.append(event)
        var hole = heap.count - 1
        while hole > 0 {
            let parent = (hole - 1) / 2
            guard ArrivalQueue.precedes(event, heap[parent]) else { break }
            heap[hole] = heap[parent]
            hole = parent
        }
        heap[hole] = event
    }

    /// Removes and returns the event that arrives first. The queue must not be empty.
    mutating func removeFirst() -> PendingEvent {
        let first = heap[0]
        let last = heap.removeLast()
        guard !heap.isEmpty else { return first }

        // Sift down by moving the earlier child up into the hole, then place `last` once.
        var hole = 0
        let count = heap.count
        while true {
            let left = 2 * hole + 1
            guard left < count else { break }
            let right = left + 1
            let child = right < count && ArrivalQueue.precedes(heap[right], heap[left]) ? right : left
            guard ArrivalQueue.precedes(heap[child], last) else { break }
            heap[hole] = heap[child]
            hole = child
        }
        heap[hole] = last
        return first
    }
}
