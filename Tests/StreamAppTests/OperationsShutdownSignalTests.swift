import Glibc
import StreamCore
import Synchronization
import Testing

@testable import StreamApp

@Suite struct OperationsShutdownSignalTests {
    /// Waits for the shutdown signal, or returns `nil` after `milliseconds`.
    private func waitForSignal(_ shutdown: ShutdownSignal, milliseconds: Int) async -> Int32? {
        await withTaskGroup(of: Int32?.self) { group in
            group.addTask { await shutdown.wait() }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(milliseconds))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    @Test func firstSignalWakesWaitersSecondForcesExit() async throws {
        let forced = Atomic<Int32>(0)
        let logs = InMemoryLogHandler()
        let shutdown = ShutdownSignal.install(
            signals: [SIGUSR2],
            logger: Logger(label: "t", handler: logs)
        ) { number in
            forced.store(number, ordering: .relaxed)
        }
        defer { shutdown.uninstall() }
        #expect(shutdown.receivedSignal == nil)

        kill(getpid(), SIGUSR2)
        let received = await waitForSignal(shutdown, milliseconds: 5_000)
        #expect(received == SIGUSR2)
        #expect(shutdown.receivedSignal == SIGUSR2)
        // A waiter that arrives late returns at once.
        #expect(await waitForSignal(shutdown, milliseconds: 5_000) == SIGUSR2)
        #expect(forced.load(ordering: .relaxed) == 0)

        kill(getpid(), SIGUSR2)
        let deadline = MonotonicClock.milliseconds() + 5_000
        while forced.load(ordering: .relaxed) == 0 && MonotonicClock.milliseconds() < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(forced.load(ordering: .relaxed) == SIGUSR2)
        #expect(logs.entries.map(\.level) == [.notice, .warning])
        #expect(logs.entries.first?.metadata[LogKey.signal] == "SIGUSR2")
    }

    @Test func programmaticReceiveWakesWaiters() async {
        let shutdown = ShutdownSignal.install(signals: [], logger: .discarding) { _ in }
        async let waiter = shutdown.wait()
        shutdown.receive(SIGTERM)
        #expect(await waiter == SIGTERM)
    }
}
