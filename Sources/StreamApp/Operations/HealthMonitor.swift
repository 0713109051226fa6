import StreamCore
import Synchronization

/// The liveness and readiness state that `/healthz` and `/readyz` report.
///
/// Liveness: the worker's main loop calls ``reportAlive()`` on every iteration. The process is
/// alive while the last report is younger than `livenessTimeoutMilliseconds` (time starts at
/// creation, so a new process is alive until its first timeout passes).
///
/// Readiness: the rebalance callbacks call ``assign(_:)`` and ``revoke(_:)``, and the worker
/// calls ``markRestored(_:)`` once a partition's checkpoint is restored and the consumer has
/// seeked. The process is ready when the first assignment has arrived and every assigned
/// partition is restored. A member with no partitions after that assignment is ready, because
/// the group simply has more members than partitions.
///
/// Thread safety: every method may be called from any thread.
final class HealthMonitor: Sendable {
    /// The result of one readiness or liveness check.
    struct Status: Sendable, Hashable {
        /// `true` for HTTP 200, `false` for 503.
        var isHealthy: Bool
        /// One line for the response body: `ok`, `ready` or the reason for failing.
        var reason: String
    }

    private struct Readiness {
        var hasAssignment = false
        var assigned: Set<Int32> = []
        var restored: Set<Int32> = []
    }

    private let livenessTimeoutMilliseconds: Int64
    private let clock: @Sendable () -> Int64
    private let lastAlive: Atomic<Int64>
    private let readinessState = Mutex(Readiness())

    /// Creates a monitor.
    ///
    /// - Parameters:
    ///   - livenessTimeoutMilliseconds: How old the last ``reportAlive()`` may be before
    ///     `/healthz` fails, in ms; at least 1.
    ///   - clock: A monotonic clock in ms, injectable for tests.
    init(
        livenessTimeoutMilliseconds: Int64,
        clock: @escaping @Sendable () -> Int64 = MonotonicClock.milliseconds
    ) {
        self.livenessTimeoutMilliseconds = max(1, livenessTimeoutMilliseconds)
        self.clock = clock
        self.lastAlive = Atomic(clock())
    }

    // MARK: - Liveness

    /// Records that the main loop is making progress. Costs one clock read and one atomic store.
    func reportAlive() {
        lastAlive.store(clock(), ordering: .relaxed)
    }

    /// Returns whether the main loop reported within the timeout.
    func liveness() -> Status {
        let age = clock() - lastAlive.load(ordering: .relaxed)
        if age <= livenessTimeoutMilliseconds {
            return Status(isHealthy: true, reason: "ok")
        }
        return Status(
            isHealthy: false,
            reason:
                "main loop last reported alive \(age) ms ago, more than the limit of \(livenessTimeoutMilliseconds) ms"
        )
    }

    // MARK: - Readiness

    /// Adds newly assigned partitions, not yet restored.
    func assign(_ partitions: some Sequence<Int32>) {
        readinessState.withLock { state in
            state.hasAssignment = true
            for partition in partitions {
                state.assigned.insert(partition)
                state.restored.remove(partition)
            }
        }
    }

    /// Removes revoked or lost partitions.
    func revoke(_ partitions: some Sequence<Int32>) {
        readinessState.withLock { state in
            for partition in partitions {
                state.assigned.remove(partition)
                state.restored.remove(partition)
            }
        }
    }

    /// Marks an assigned partition as restored: its checkpoint is loaded and the consumer seeked.
    /// A partition that is not assigned is ignored.
    func markRestored(_ partition: Int32) {
        readinessState.withLock { state in
            if state.assigned.contains(partition) {
                state.restored.insert(partition)
            }
        }
    }

    /// Returns whether every assigned partition is restored, or which are not.
    func readiness() -> Status {
        readinessState.withLock { state in
            guard state.hasAssignment else {
                return Status(isHealthy: false, reason: "waiting for the first partition assignment")
            }
            let pending = state.assigned.subtracting(state.restored).sorted()
            guard pending.isEmpty else {
                let list = pending.map(String.init).joined(separator: ",")
                return Status(isHealthy: false, reason: "partitions not yet restored: \(list)")
            }
            return Status(isHealthy: true, reason: "ready, \(state.assigned.count) partitions assigned")
        }
    }
}
