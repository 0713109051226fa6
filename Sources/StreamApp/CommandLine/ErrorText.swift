import KafkaBridge

/// Returns the text of `error` for a command's output: a ``KafkaBridgeError``'s message and
/// librdkafka error name without its Swift type name and source location, other errors as they
/// describe themselves.
func errorText(_ error: any Error) -> String {
    if let error = error as? KafkaBridgeError { return error.operatorMessage }
    return "\(error)"
}
