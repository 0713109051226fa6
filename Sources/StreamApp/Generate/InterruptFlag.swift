import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Set by SIGINT, SIGTERM or SIGHUP so that a long generation or replay stops cleanly and closes
/// its output.
private let interruptRaised = Atomic<Bool>(false)

/// A view of the process-wide interrupt flag.
struct InterruptFlag: Sendable {
    /// `true` once SIGINT, SIGTERM or SIGHUP has arrived.
    var isRaised: Bool { interruptRaised.load(ordering: .relaxed) }

    /// Installs handlers for SIGINT, SIGTERM and SIGHUP (a closed terminal) that raise the flag.
    /// A second signal ends the process at once with status 130, for a user who does not want to
    /// wait for the clean stop. Only the command-line entry point calls this, so tests keep the
    /// default signal behavior.
    static func install() {
        signal(SIGINT) { _ in InterruptFlag.raise() }
        signal(SIGTERM) { _ in InterruptFlag.raise() }
        signal(SIGHUP) { _ in InterruptFlag.raise() }
    }

    /// Raises the flag, or exits when it is already raised. Async-signal-safe: one atomic
    /// exchange and `_exit`.
    private static func raise() {
        if interruptRaised.exchange(true, ordering: .relaxed) {
            _exit(130)
        }
    }
}
