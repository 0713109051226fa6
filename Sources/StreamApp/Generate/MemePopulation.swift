/// The memes alive at the current event time and the attention-weighted choice among them.
///
/// The population is updated in steps of ``stepMilliseconds`` of event time: births (a Poisson
/// process), viral bursts, fading memes dropped, and the cumulative attention weights rebuilt.
/// Between steps the weights are frozen, which is exact enough because life cycles last hours.
///
/// Complexity: ``advance(to:random:)`` is O(alive memes) per step; ``pickMeme(random:)`` is
/// O(log alive memes).
struct MemePopulation {
    /// Event time between two population updates, in milliseconds.
    static let stepMilliseconds: Int64 = 10_000
    /// Probability per hour of event time that a meme starts a viral burst.
    static let burstsPerHour: Double = 0.1

    private(set) var memes: [Meme] = []
    private var cumulativeWeights: [Double] = []
    private var totalWeight: Double = 0
    private var nextNumber = 1
    private let birthsPerStep: Double

    /// Creates `initialMemes` memes with ages spread uniformly over the 12 hours before
    /// `startMilliseconds` and computes the weights at `startMilliseconds`.
    init(initialMemes: Int, birthsPerMinute: Double, startMilliseconds: Int64, random: inout SeededRandom) {
        birthsPerStep = birthsPerMinute * Double(MemePopulation.stepMilliseconds) / 60_000
        memes.reserveCapacity(initialMemes)
        for _ in 0..<initialMemes {
            let age = Int64(random.unitInterval() * 43_200_000)
            addMeme(bornAt: startMilliseconds - age, random: &random)
        }
        // At least one meme exists, so an event can always be assigned.
        if memes.isEmpty {
            addMeme(bornAt: startMilliseconds - 60_000, random: &random)
        }
        rebuildWeights(at: startMilliseconds)
    }

    /// Applies one population step ending at `time`: births spread over the step, bursts,
    /// fading, and new weights evaluated at `time`.
    mutating func advance(to time: Int64, random: inout SeededRandom) {
        let births = random.poisson(mean: birthsPerStep)
        for _ in 0..<births {
            let offset = Int64(random.unitInterval() * Double(MemePopulation.stepMilliseconds))
            addMeme(bornAt: time - offset, random: &random)
        }

        let burstChance = MemePopulation.burstsPerHour * Double(MemePopulation.stepMilliseconds) / 3_600_000
        var index = 0
        while index < memes.count {
            if memes[index].hasFaded(at: time), memes.count > 1 {
                memes.swapAt(index, memes.count - 1)
                memes.removeLast()
                continue
            }
            if time >= memes[index].burstEndMilliseconds, random.chance(burstChance) {
                // A burst multiplies attention 2–30× (median 6) for about 10 minutes.
                memes[index].burstMultiplier = max(2, min(30, random.logNormal(median: 6, sigma: 0.5)))
                memes[index].burstEndMilliseconds = time + Int64(random.exponential(mean: 600_000))
            }
            index += 1
        }
        rebuildWeights(at: time)
    }

    /// Index into ``memes`` of a meme drawn with probability proportional to its attention weight.
    @inline(__always)
    func pickMeme(random: inout SeededRandom) -> Int {
        let target = random.unitInterval() * totalWeight
        var low = 0
        var high = cumulativeWeights.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulativeWeights[middle] > target {
                high = middle
            } else {
                low = middle + 1
            }
        }
        return low
    }

    private mutating func addMeme(bornAt birth: Int64, random: inout SeededRandom) {
        memes.append(Meme(number: nextNumber, birthMilliseconds: birth, random: &random))
        nextNumber += 1
    }

    private mutating func rebuildWeights(at time: Int64) {
        cumulativeWeights.removeAll(keepingCapacity: true)
        var sum = 0.0
        for meme in memes {
            sum += meme.attentionWeight(at: time)
            cumulativeWeights.append(sum)
        }
        // Every meme is before its birth or faded to 0: fall back to equal weights.
        if sum <= 0 {
            cumulativeWeights.removeAll(keepingCapacity: true)
            for position in memes.indices {
                cumulativeWeights.append(Double(position + 1))
            }
            sum = Double(memes.count)
        }
        totalWeight = sum
    }
}
