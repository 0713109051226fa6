import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Set by the first SIGTERM or SIGINT; the worker loop polls it between batches.
private let shutdownRequested = Atomic<Bool>(false)

/// SIGTERM/SIGINT handling for `run`: the first signal requests a graceful shutdown and arms a
/// SIGALRM deadline; a second signal, or the deadline, exits at once with status 1 without
/// committing anything further.
enum WorkerSignals {
    /// Installs the handlers. `shutdownTimeoutSeconds` bounds the graceful shutdown.
    static func install(shutdownTimeoutSeconds: UInt32) {
        shutdownAlarmSeconds.store(max(1, shutdownTimeoutSeconds), ordering: .relaxed)
        signal(SIGTERM, onStopSignal)
        signal(SIGINT, onStopSignal)
        signal(SIGALRM, onDeadline)
    }

    /// `true` once a stop signal arrived.
    static var isShutdownRequested: Bool {
        shutdownRequested.load(ordering: .relaxed)
    }
}

private let shutdownAlarmSeconds = Atomic<UInt32>(30)

private func onStopSignal(_ signal: Int32) {
    if shutdownRequested.exchange(true, ordering: .relaxed) {
        _exit(1)
    }
    alarm(shutdownAlarmSeconds.load(ordering: .relaxed))
}

private func onDeadline(_ signal: Int32) {
    let message = "memestream run: graceful shutdown timed out; exiting without a final commit\n"
    _ = message.withCString { write(2, $0, strlen($0)) }
    _exit(1)
}
