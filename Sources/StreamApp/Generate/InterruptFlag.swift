import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Set by SIGINT or SIGTERM so a long generation stops cleanly and flushes its output.
private let interruptRaised = Atomic<Bool>(false)

/// A view of the process-wide interrupt flag.
struct InterruptFlag: Sendable {
    /// `true` once SIGINT or SIGTERM has arrived.
    var isRaised: Bool { interruptRaised.load(ordering: .relaxed) }

    /// Installs handlers for SIGINT and SIGTERM that raise the flag. Only the command-line entry
    /// point calls this, so tests keep the default signal behavior.
    static func install() {
        signal(SIGINT) { _ in interruptRaised.store(true, ordering: .relaxed) }
        signal(SIGTERM) { _ in interruptRaised.store(true, ordering: .relaxed) }
    }
}
