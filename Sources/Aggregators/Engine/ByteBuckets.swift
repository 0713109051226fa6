/// Moves `count` elements into 256 buckets by `byte`, in place: one pass of a radix sort that
/// takes the most significant byte first (an "American flag" sort), with no second array.
///
/// Returns `false`, and moves nothing, when every element has the same byte. Otherwise it leaves
/// the elements in byte order and calls `bucket` with the first index and the size of each bucket
/// of two or more elements, in byte order, so the caller can sort them by the next byte.
///
/// - Complexity: O(n) time and 4 KiB of stack, which is held while `bucket` runs.
@inline(__always)
func partitionByByte<Element>(
    _ elements: UnsafeMutablePointer<Element>,
    count: Int,
    byte: (Element) -> Int,
    bucket: (_ first: Int, _ count: Int) -> Void
) -> Bool {
    withUnsafeTemporaryAllocation(of: Int.self, capacity: 512) { buckets in
        let next = buckets.baseAddress!
        let ends = next + 256
        next.initialize(repeating: 0, count: 512)
        for index in 0..<count { ends[byte(elements[index])] += 1 }
        var start = 0
        for value in 0..<256 {
            next[value] = start
            start += ends[value]
            ends[value] = start
        }
        let first = byte(elements[0])
        guard ends[first] - next[first] < count else { return false }
        // Each swap puts one element into its byte's bucket for good.
        for value in 0..<256 {
            while next[value] < ends[value] {
                let element = elements[next[value]]
                let target = byte(element)
                if target == value {
                    next[value] += 1
                } else {
                    elements[next[value]] = elements[next[target]]
                    elements[next[target]] = element
                    next[target] += 1
                }
            }
        }
        var bucketStart = 0
        for value in 0..<256 {
            if ends[value] - bucketStart > 1 { bucket(bucketStart, ends[value] - bucketStart) }
            bucketStart = ends[value]
        }
        return true
    }
}
