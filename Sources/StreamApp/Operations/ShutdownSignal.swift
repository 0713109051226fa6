import Dispatch
import Glibc
import StreamCore
import Synchronization

/// Turns SIGTERM and SIGINT into an async notification for graceful shutdown; a second signal
/// forces the process to exit.
///
/// ``install(signals:logger:forceExit:)`` installs a `sigaction` handler before it returns, so no
/// signal sent after that call is lost. The handler only writes the signal number to a pipe,
/// which is async-signal-safe; a dedicated thread reads the pipe and calls ``receive(_:)``. The
/// first signal wakes every ``wait()`` caller and sets ``receivedSignal``. A second signal calls
/// `forceExit`, which by default calls `_exit(128 + signal)`, the shell convention for death by
/// a signal, without running any more cleanup.
///
/// One installation with signals may be active per process at a time, because signal
/// dispositions are process-wide. Thread safety: all methods may be called from any thread or task.
final class ShutdownSignal: Sendable {
    private struct State {
        var received: Int32?
        /// `true` once the caller finished its clean stop (``markStopped()``).
        var isStopped = false
        /// When the first signal arrived, on the monotonic clock in ms.
        var receivedAtMilliseconds: Int64 = 0
        var waiters: [Int: CheckedContinuation<Int32?, Never>] = [:]
        var nextWaiterID = 0
    }

    private let state = Mutex(State())
    private let watchedSignals: [Int32]
    /// The pipe's write end, or -1 when no signals are watched; closed by ``uninstall()``.
    private let pipeWriteDescriptor = Atomic<Int32>(-1)
    private let forceExit: @Sendable (Int32) -> Void
    private let logger: Logger
    private let repeatWindowMilliseconds: Int64

    /// How long after the first signal the same signal again counts as the same request, in ms.
    /// GNU `timeout` and a `kill` of the process group deliver one signal twice within a
    /// millisecond, which must not skip the checkpoint and the group leave.
    static let defaultRepeatWindowMilliseconds: Int64 = 500

    private init(
        signals: [Int32],
        logger: Logger,
        repeatWindowMilliseconds: Int64,
        forceExit: @escaping @Sendable (Int32) -> Void
    ) {
        self.watchedSignals = signals
        self.logger = logger
        self.repeatWindowMilliseconds = repeatWindowMilliseconds
        self.forceExit = forceExit
    }

    /// Starts watching `signals`.
    ///
    /// - Parameters:
    ///   - signals: Signal numbers; default SIGTERM and SIGINT. An empty list installs nothing,
    ///     and only ``receive(_:)`` triggers the shutdown.
    ///   - logger: Receives one entry per signal.
    ///   - repeatWindowMilliseconds: The same signal again within this time after the first is
    ///     ignored; default ``defaultRepeatWindowMilliseconds``.
    ///   - forceExit: Called on the second signal with its number; the default exits at once.
    static func install(
        signals: [Int32] = [SIGTERM, SIGINT],
        logger: Logger,
        repeatWindowMilliseconds: Int64 = ShutdownSignal.defaultRepeatWindowMilliseconds,
        forceExit: @escaping @Sendable (Int32) -> Void = ShutdownSignal.exitImmediately
    ) -> ShutdownSignal {
        let shutdown = ShutdownSignal(
            signals: signals,
            logger: logger,
            repeatWindowMilliseconds: repeatWindowMilliseconds,
            forceExit: forceExit
        )
        guard !signals.isEmpty else { return shutdown }

        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else {
            logger.error(
                "cannot create the shutdown signal pipe; signals keep their default action",
                metadata: [LogKey.error: .string(String(cString: strerror(errno)))]
            )
            return shutdown
        }
        let (readDescriptor, writeDescriptor) = (descriptors[0], descriptors[1])
        _ = fcntl(readDescriptor, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeDescriptor, F_SETFD, FD_CLOEXEC)
        // O_NONBLOCK keeps the handler from blocking on a full pipe. A byte dropped then only loses
        // a repeated signal, because 64 KiB of earlier signal bytes are still unread.
        _ = fcntl(writeDescriptor, F_SETFL, fcntl(writeDescriptor, F_GETFL) | O_NONBLOCK)
        shutdown.pipeWriteDescriptor.store(writeDescriptor, ordering: .releasing)
        SignalPipe.writeDescriptor.store(writeDescriptor, ordering: .releasing)

        DispatchQueue(label: "memestream.shutdown-signal").async { [shutdown] in
            shutdown.readSignals(from: readDescriptor)
        }
        for number in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = SignalPipe.handler
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(number, &action, nil)
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

    /// Suspends until the first signal arrives and returns its number. Returns at once when one
    /// has already arrived, and returns `nil` when the calling task is cancelled first.
    func wait() async -> Int32? {
        let id = state.withLock { state -> Int in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let result = state.withLock { state -> Int32?? in
                    if let received = state.received {
                        return .some(received)
                    }
                    if Task.isCancelled {
                        return .some(nil)
                    }
                    state.waiters[id] = continuation
                    return .none
                }
                if let result {
                    continuation.resume(returning: result)
                }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(returning: nil)
        }
    }

    /// Behaves as if `number` had been delivered: the first call wakes the waiters, a later call
    /// forces exit, except the same signal within the repeat window. The worker uses it to start
    /// shutdown for reasons other than a signal.
    func receive(_ number: Int32) {
        receive(number, atMilliseconds: MonotonicClock.milliseconds())
    }

    /// Records that the clean stop has finished, so a later signal no longer forces an exit: the
    /// process is about to exit 0 with its work saved.
    func markStopped() {
        state.withLock { $0.isStopped = true }
    }

    /// ``receive(_:)`` at a given time on the monotonic clock, in ms.
    func receive(_ number: Int32, atMilliseconds now: Int64) {
        enum Outcome { case first, repeated, second, afterStop }
        let (outcome, waiters) = state.withLock { state -> (Outcome, [CheckedContinuation<Int32?, Never>]) in
            guard let received = state.received else {
                state.received = number
                state.receivedAtMilliseconds = now
                let waiters = Array(state.waiters.values)
                state.waiters = [:]
                return (.first, waiters)
            }
            if received == number, now - state.receivedAtMilliseconds < repeatWindowMilliseconds {
                return (.repeated, [])
            }
            return (state.isStopped ? .afterStop : .second, [])
        }
        let name = Self.name(of: number)
        if outcome == .repeated {
            logger.debug(
                "the same signal again right after the first, taken as one request",
                metadata: [LogKey.signal: .string(name)]
            )
        } else if outcome == .afterStop {
            logger.notice(
                "signal after the clean stop ignored; the worker is exiting with its work saved",
                metadata: [LogKey.signal: .string(name)]
            )
        } else if outcome == .first {
            logger.notice(
                "shutdown requested; send a signal again (the same one after half a second) to exit at once",
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

    /// Restores the default action of every watched signal and stops the reader thread.
    func uninstall() {
        for number in watchedSignals {
            signal(number, SIG_DFL)
        }
        let descriptor = pipeWriteDescriptor.exchange(-1, ordering: .acquiringAndReleasing)
        if descriptor >= 0 {
            _ = SignalPipe.writeDescriptor.compareExchange(
                expected: descriptor,
                desired: -1,
                ordering: .acquiringAndReleasing
            )
            close(descriptor)
        }
    }

    /// Reads signal numbers until the write end is closed. Each read blocks until the handler
    /// writes a byte or ``uninstall()`` closes the pipe, which ends the loop.
    private func readSignals(from descriptor: Int32) {
        defer { close(descriptor) }
        var byte: UInt8 = 0
        while true {
            let count = read(descriptor, &byte, 1)
            if count == 1 {
                receive(Int32(byte))
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                return
            }
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

/// The process-wide state the signal handler may touch: only an atomic load and `write(2)`,
/// both async-signal-safe.
private enum SignalPipe {
    static let writeDescriptor = Atomic<Int32>(-1)

    static let handler: @convention(c) (Int32) -> Void = { number in
        let savedErrno = errno
        let descriptor = writeDescriptor.load(ordering: .acquiring)
        if descriptor >= 0 {
            var byte = UInt8(truncatingIfNeeded: number)
            _ = write(descriptor, &byte, 1)
        }
        errno = savedErrno
    }
}
