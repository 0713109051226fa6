import Synchronization

/// Liveness and readiness shared between the worker thread and the HTTP server.
///
/// `/healthz` is healthy while the main loop completed an iteration recently. `/readyz` is ready
/// once the first assignment is restored, which means every assigned partition has its state.
final class WorkerHealth: Sendable {
    private struct State {
        var lastLoopNanoseconds: UInt64 = 0
        var hasAssignment = false
        var assigned: [Int32] = []
    }

    private let state = Mutex(State())

    func markLoopAlive(_ nanoseconds: UInt64) {
        state.withLock { $0.lastLoopNanoseconds = nanoseconds }
    }

    func setAssigned(_ partitions: [Int32]) {
        state.withLock {
            $0.hasAssignment = true
            $0.assigned = partitions
        }
    }

    /// `true` when the loop ran within `toleranceNanoseconds` of `now`.
    func isAlive(now: UInt64, toleranceNanoseconds: UInt64) -> Bool {
        state.withLock { now &- $0.lastLoopNanoseconds <= toleranceNanoseconds }
    }

    /// `true` after the first rebalance completed; restores run inside the assignment callback,
    /// so every assigned partition is restored by then.
    var isReady: Bool { state.withLock { $0.hasAssignment } }

    var assignedPartitions: [Int32] { state.withLock { $0.assigned } }
}
