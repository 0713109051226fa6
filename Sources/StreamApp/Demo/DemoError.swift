/// A runtime failure of `memestream demo` or `memestream round-trip`; the message names the
/// value involved. The commands exit with status 1 on it.
struct DemoError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
