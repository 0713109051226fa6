#if canImport(Glibc)
import Glibc
#endif

/// Samplers for the distributions of the traffic model, built on ``SeededRandom``'s bits.
///
/// NOTE: `log`, `exp` and `cos` come from the platform's libm. Output is byte-identical for the
/// same options on one platform (a test checks it), but another libm may round a rare draw
/// differently and change the output from there on.
///
/// Each sampler uses a fixed number of generator calls except ``poisson(mean:)``, whose count
/// depends on the drawn value.
extension SeededRandom {
    /// Returns a uniform double in [0, 1) with 53 random bits.
    @inline(__always)
    mutating func unitInterval() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Returns a uniform double in (0, 1], safe to pass to `log`.
    @inline(__always)
    mutating func openUnitInterval() -> Double {
        Double((next() >> 11) + 1) * 0x1.0p-53
    }

    /// Returns a uniform integer in [0, bound) by Lemire's multiply-shift, with a bias below 2^-32
    /// for the bounds used here. `bound` must be positive.
    @inline(__always)
    mutating func index(below bound: Int) -> Int {
        Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// Returns `true` with probability `probability`.
    @inline(__always)
    mutating func chance(_ probability: Double) -> Bool {
        unitInterval() < probability
    }

    /// Returns an exponential variate with the given mean (same unit as the result).
    @inline(__always)
    mutating func exponential(mean: Double) -> Double {
        -log(openUnitInterval()) * mean
    }

    /// Returns a standard normal variate by the Box–Muller transform (one of the pair is discarded, so
    /// each call uses exactly two generator outputs).
    mutating func standardNormal() -> Double {
        let radius = (-2 * log(openUnitInterval())).squareRoot()
        return radius * cos(2 * Double.pi * unitInterval())
    }

    /// Returns a lognormal variate: `median × e^(sigma × Z)` with Z standard normal.
    mutating func logNormal(median: Double, sigma: Double) -> Double {
        median * exp(sigma * standardNormal())
    }

    /// Returns a Poisson count with the given mean: Knuth's product method below a mean of 30, and a
    /// rounded normal approximation above it (the model only needs the count's scale there).
    mutating func poisson(mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        if mean >= 30 {
            let draw = mean + mean.squareRoot() * standardNormal()
            return max(0, Int(draw.rounded()))
        }
        let limit = exp(-mean)
        var product = unitInterval()
        var count = 0
        // The loop ends after about `mean` rounds; 1 000 is far beyond any mean below 30.
        while product > limit, count < 1_000 {
            product *= unitInterval()
            count += 1
        }
        return count
    }
}
