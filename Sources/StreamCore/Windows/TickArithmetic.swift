/// Epoch-aligned time arithmetic on milliseconds.
public enum TickArithmetic {
    /// Returns the largest multiple of `step` that is ≤ `time`: `floor(time / step) × step`.
    ///
    /// Rounds toward negative infinity, so it stays aligned for times before the epoch.
    /// - Precondition: `step > 0`.
    @inlinable
    public static func floor(_ time: Int64, to step: Int64) -> Int64 {
        precondition(step > 0, "step must be positive, got \(step)")
        let remainder = time % step
        return remainder < 0 ? time - remainder - step : time - remainder
    }

    /// Returns the first multiple of `step` that is strictly greater than `time`.
    @inlinable
    public static func nextMultiple(after time: Int64, of step: Int64) -> Int64 {
        floor(time, to: step) + step
    }
}
