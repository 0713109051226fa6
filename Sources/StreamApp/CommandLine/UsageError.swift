/// A usage or configuration error: the process prints the message and exits with status 2.
///
/// The message names the flag or configuration key and the valid values.
struct UsageError: Error, CustomStringConvertible {
    var message: String

    init(_ message: String) {
        self.message = message
    }

    var description: String { message }
}
