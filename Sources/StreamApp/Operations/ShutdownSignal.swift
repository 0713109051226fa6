import Dispatch
import Glibc
import StreamCore
import Synchronization

/// Turns SIGTERM and SIGINT into an async notification for graceful shutdown; a second signal
/// forces the process to exit.
///
/// ``install(signals:logger:forceExit:)`` sets the signals' disposition to ignore (so the
/// default action no longer kills the process) and watches them with dispatch signal sources.
/// The first signal wakes every ``wait()`` caller. A second signal calls `forceExit`, which by
/// default writes a log entry and calls `_exit(128 + signal)`, the shell convention for death by
/// a signal, without running any more cleanup.
///
/// Thread safety: all methods may be called from any thread or task.
final class ShutdownSignal: Sendable {
    private struct State {
        var received: Int32?
        var waiters: [CheckedContinuation<Int32, Never>] = []
    }

    private let state = Mutex(State())
    private let sources = Mutex<[any DispatchSourceSignal]>([])
    private let watchedSignals: [Int32]
    private let forceExit: @Sendable (Int32) -> Void
    private let logger: Logger

    private init(signals: [Int32], logger: Logger, forceExit: @escaping @Sendable (Int32) -> Void) {
        self.watchedSignals = signals
        self.logger = logger
        self.forceExit = forceExit
    }

    /// Starts watching `signals`.
    ///
    /// - Parameters:
    ///   - signals: Signal numbers; default SIGTERM and SIGINT.
    ///   - logger: Receives one entry per signal.
    ///   - forceExit: Called on the second signal with its number; the default exits at once.
    static func install(
        signals: [Int32] = [SIGTERM, SIGINT],
        logger: Logger,
        forceExit: @escaping @Sendable (Int32) -> Void = ShutdownSignal.exitImmediately
    ) -> ShutdownSignal {
        let shutdown = ShutdownSignal(signals: signals, logger: logger, forceExit: forceExit)
        let queue = DispatchQueue(label: "memestream.shutdown-signal")
        shutdown.sources.withLock { sources in
            for number in signals {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler { [shutdown] in
                    shutdown.receive(number)
                }
                source.resume()
                sources.append(source)
            }
        }
        return shutdown
    }

    /// Exits at once with status 128 + `number`: the default action on a second signal.
    @Sendable
    static func exitImmediately(_ number: Int32) {
        _exit(128 + number)
    }

    /// The first signal received, or `nil` while none has arrived.
    var receivedSignal: Int32? {
        state.withLock { $0.received }
    }

    /// Suspends until the first signal arrives (returns at once if it already has) and returns
    /// its number.
    func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Int32? in
                if let received = state.received {
                    return received
                }
                state.waiters.append(continuation)
                return nil
            }
            if let ready {
                continuation.resume(returning: ready)
            }
        }
    }

    /// Behaves as if `number` had been delivered: the first call wakes the waiters, a later call
    /// forces exit. The worker uses it to start shutdown for reasons other than a signal.
    func receive(_ number: Int32) {
        let (isFirst, waiters) = state.withLock { state -> (Bool, [CheckedContinuation<Int32, Never>]) in
            guard state.received == nil else { return (false, []) }
            state.received = number
            let waiters = state.waiters
            state.waiters = []
            return (true, waiters)
        }
        let name = Self.name(of: number)
        if isFirst {
            logger.notice(
                "shutdown requested, send the signal again to exit at once",
                metadata: [LogKey.signal: .string(name)]
            )
            for waiter in waiters {
                waiter.resume(returning: number)
            }
        } else {
            logger.warning("second signal received, exiting without cleanup", metadata: [LogKey.signal: .string(name)])
            forceExit(number)
        }
    }

    /// Stops watching and restores the default action of every watched signal.
    func uninstall() {
        sources.withLock { sources in
            for source in sources {
                source.cancel()
            }
            sources = []
        }
        for number in watchedSignals {
            signal(number, SIG_DFL)
        }
    }

    /// Returns the conventional name of a signal, such as `SIGTERM`.
    static func name(of number: Int32) -> String {
        switch number {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        case SIGHUP: "SIGHUP"
        case SIGUSR1: "SIGUSR1"
        case SIGUSR2: "SIGUSR2"
        default: "signal \(number)"
        }
    }
}
