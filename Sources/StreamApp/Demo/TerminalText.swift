/// Text from the data (meme ids) made safe to print on a terminal.
enum TerminalText {
    /// Returns `text` with every control character (C0, DEL and C1) replaced by `?`, so an id
    /// cannot move the cursor, clear the screen or change colours when a summary is printed.
    static func printable(_ text: String) -> String {
        let isControl = { (scalar: Unicode.Scalar) in scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) }
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { result.append(isControl(scalar) ? "?" : scalar) }
        return String(result)
    }
}
