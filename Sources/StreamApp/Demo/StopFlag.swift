import Synchronization

/// A one-way flag that one thread raises to ask others to stop; they poll it.
///
/// Thread-safety: all members may be used from any thread.
final class StopFlag: Sendable {
    private let raised = Atomic<Bool>(false)

    init() {}

    var isRaised: Bool { raised.load(ordering: .relaxed) }

    func raise() {
        raised.store(true, ordering: .relaxed)
    }
}
