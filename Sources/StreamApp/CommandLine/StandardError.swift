#if canImport(Glibc)
import Glibc
#endif

/// Writes one line to standard error, unbuffered.
func printError(_ message: String) {
    var line = message
    line.append("\n")
    line.withUTF8 { bytes in
        var remaining = UnsafeRawBufferPointer(bytes)
        while !remaining.isEmpty {
            let written = write(2, remaining.baseAddress, remaining.count)
            if written <= 0 { return }
            remaining = UnsafeRawBufferPointer(rebasing: remaining[written...])
        }
    }
}
