import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Set by SIGINT, SIGTERM or SIGHUP so that a long generation or replay stops cleanly and closes
/// its output.
private let interruptRaised = Atomic<Bool>(false)
/// The first signal's number, and when it arrived on the monotonic clock in ns (0 until stored).
private let firstSignal = Atomic<Int32>(0)
private let firstSignalNanoseconds = Atomic<Int64>(0)

/// A view of the process-wide interrupt flag.
struct InterruptFlag: Sendable {
    /// `true` once SIGINT, SIGTERM or SIGHUP has arrived.
    var isRaised: Bool { interruptRaised.load(ordering: .relaxed) }

    /// Installs handlers for SIGINT, SIGTERM and SIGHUP (a closed terminal) that raise the flag.
    /// A second signal ends the process at once with status 130, for a user who does not want to
    /// wait for the clean stop. The same signal again within 0.5 s counts as the first one, as in
    /// `memestream run`: GNU `timeout` and a kill of the process group deliver it twice. Only the
    /// command-line entry point calls this, so tests keep the default signal behavior.
    static func install() {
        signal(SIGINT) { number in InterruptFlag.raise(number) }
        signal(SIGTERM) { number in InterruptFlag.raise(number) }
        signal(SIGHUP) { number in InterruptFlag.raise(number) }
    }

    /// Raises the flag, or exits when it is already raised by another signal or more than 0.5 s
    /// ago. Async-signal-safe: atomics, `clock_gettime` and `_exit`.
    private static func raise(_ number: Int32) {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let nanoseconds = Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
        if firstSignal.compareExchange(expected: 0, desired: number, ordering: .relaxed).exchanged {
            firstSignalNanoseconds.store(nanoseconds, ordering: .relaxed)
            interruptRaised.store(true, ordering: .relaxed)
            return
        }
        let first = firstSignalNanoseconds.load(ordering: .relaxed)
        // 0: the first signal's handler has not stored its time yet, so this one came with it.
        if firstSignal.load(ordering: .relaxed) == number, first == 0 || nanoseconds - first < 500_000_000 {
            return
        }
        // `write` is async-signal-safe; a static string needs no allocation.
        let message: StaticString = "memestream: second signal, exiting at once without cleanup (status 130)\n"
        _ = write(2, message.utf8Start, message.utf8CodeUnitCount)
        _exit(130)
    }
}
