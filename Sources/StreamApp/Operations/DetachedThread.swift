import Glibc

/// Starts `body` on a new detached POSIX thread.
///
/// The operations server serves each connection on its own thread, because a connection may
/// wait up to its read timeout for a slow client. A concurrent dispatch queue was measured to add
/// a thread about once a second here, so a few idle connections delayed a health probe.
/// - Returns: `false` when the system cannot create another thread; `body` then never runs.
func startDetachedThread(_ body: @escaping @Sendable () -> Void) -> Bool {
    final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    var handle = pthread_t()
    let code = pthread_create(
        &handle,
        nil,
        { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            box.body()
            return nil
        },
        context
    )
    guard code == 0 else {
        Unmanaged<Box>.fromOpaque(context).release()
        return false
    }
    pthread_detach(handle)
    return true
}
