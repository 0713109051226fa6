#if canImport(Glibc)
import Glibc
#endif

/// Tells whether a standard stream (descriptor 0, 1 or 2) was closed when the process started.
///
/// A process started with `<&-` or `>&-` has no descriptor 0 or 1, and the Swift runtime's own
/// event descriptor takes the lowest free number before `main` runs. Reading or writing it then
/// fails with `EINVAL`, which does not name the cause. This check reads the descriptor's
/// target in `/proc/self/fd` instead: a missing descriptor or an anonymous kernel object
/// (`anon_inode:`) means the stream was closed.
///
/// Thread-safe; each call makes one or two system calls.
public enum StandardStreamCheck {
    /// Returns why `descriptor` cannot serve as the standard stream `name` (for example "standard
    /// input"), or `nil` when it looks usable or `/proc` cannot tell.
    public static func closedReason(descriptor: Int32, name: String) -> String? {
        if fcntl(descriptor, F_GETFD) < 0, errno == EBADF {
            return "\(name) is closed; start the command with \(name) open, or give a file name instead of '-'"
        }
        var target = [CChar](repeating: 0, count: 64)
        let length = readlink("/proc/self/fd/\(descriptor)", &target, target.count - 1)
        guard length > 0 else { return nil }
        let text = String(decoding: target[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard text.hasPrefix("anon_inode:") else { return nil }
        return "\(name) was closed when the command started (its descriptor is the runtime's \(text)); "
            + "start the command with \(name) open, or give a file name instead of '-'"
    }
}
