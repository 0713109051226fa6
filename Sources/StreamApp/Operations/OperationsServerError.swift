/// A failure to start the operations HTTP server, with the address and what to do.
struct OperationsServerError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
