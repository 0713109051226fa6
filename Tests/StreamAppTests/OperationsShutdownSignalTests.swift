import Glibc
import StreamCore
import Synchronization
import Testing

@testable import StreamApp

@Suite struct OperationsShutdownSignalTests {
    /// Polls `condition` every 10 ms until it is true or `milliseconds` pass.
    private func waitUntil(milliseconds: Int64, _ condition: () -> Bool) async throws {
        let deadline = MonotonicClock.milliseconds() + milliseconds
        while !condition() && MonotonicClock.milliseconds() < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    @Test func firstSignalTriggersSecondForcesExit() async throws {
        let forced = Atomic<Int32>(0)
        let logs = InMemoryLogHandler()
        let shutdown = ShutdownSignal.install(
            signals: [SIGUSR2],
            logger: Logger(label: "t", handler: logs),
            repeatWindowMilliseconds: 0
        ) { number in
            forced.store(number, ordering: .relaxed)
        }
        defer { shutdown.uninstall() }
        #expect(shutdown.receivedSignal == nil)

        kill(getpid(), SIGUSR2)
        try await waitUntil(milliseconds: 10_000) { shutdown.receivedSignal != nil }
        #expect(shutdown.receivedSignal == SIGUSR2)
        // A waiter that arrives after the signal returns at once.
        #expect(await shutdown.wait() == SIGUSR2)
        #expect(forced.load(ordering: .relaxed) == 0)

        kill(getpid(), SIGUSR2)
        try await waitUntil(milliseconds: 10_000) { forced.load(ordering: .relaxed) != 0 }
        #expect(forced.load(ordering: .relaxed) == SIGUSR2)
        #expect(logs.entries.map(\.level) == [.notice, .warning])
        #expect(logs.entries.first?.metadata[LogKey.signal] == "SIGUSR2")
    }

    /// GNU timeout sends SIGTERM to the worker and then to its process group: two in one
    /// millisecond used to skip the checkpoint and the group leave.
    @Test func sameSignalAtOnceCountsOnce() async throws {
        let forced = Atomic<Int32>(0)
        let shutdown = ShutdownSignal.install(signals: [], logger: .discarding) { number in
            forced.store(number, ordering: .relaxed)
        }
        shutdown.receive(SIGTERM, atMilliseconds: 1_000)
        shutdown.receive(SIGTERM, atMilliseconds: 1_001)
        #expect(forced.load(ordering: .relaxed) == 0)
        // Another signal, or the same one after the window, still forces the exit.
        shutdown.receive(SIGINT, atMilliseconds: 1_002)
        #expect(forced.load(ordering: .relaxed) == SIGINT)
        forced.store(0, ordering: .relaxed)
        shutdown.receive(SIGTERM, atMilliseconds: 1_000 + ShutdownSignal.defaultRepeatWindowMilliseconds)
        #expect(forced.load(ordering: .relaxed) == SIGTERM)
    }

    /// SIGTERM and then SIGINT 50 ms later, after the worker had stopped cleanly, exited 130.
    @Test func signalAfterCleanStopIsIgnored() {
        let forced = Atomic<Int32>(0)
        let logs = InMemoryLogHandler()
        let shutdown = ShutdownSignal.install(signals: [], logger: Logger(label: "t", handler: logs)) { number in
            forced.store(number, ordering: .relaxed)
        }
        shutdown.receive(SIGTERM, atMilliseconds: 1_000)
        shutdown.markStopped()
        shutdown.receive(SIGINT, atMilliseconds: 1_050)
        #expect(forced.load(ordering: .relaxed) == 0)
        #expect(logs.entries.last?.message.contains("after the clean stop ignored") == true)
    }

    @Test func receiveWakesWaitingTask() async throws {
        let shutdown = ShutdownSignal.install(signals: [], logger: .discarding) { _ in }
        let waiter = Task { await shutdown.wait() }
        shutdown.receive(SIGTERM)
        #expect(await waiter.value == SIGTERM)
    }

    @Test func cancelledWaitReturnsNil() async throws {
        let shutdown = ShutdownSignal.install(signals: [], logger: .discarding) { _ in }
        let waiter = Task { await shutdown.wait() }
        waiter.cancel()
        #expect(await waiter.value == nil)
        #expect(shutdown.receivedSignal == nil)
    }
}
