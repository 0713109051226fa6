/// Messages for a key that a feature set definition does not know, and the nearest valid name,
/// which the command-line parser also uses for unknown options.
public enum UnknownKeyMessage {
    /// Returns `unknown <noun> "key"`, a "did you mean" hint when a valid key is close to it,
    /// and the list of valid keys after `validIntroduction` (such as "the valid keys of a feature are").
    static func make(noun: String, key: String, validKeys: [String], validIntroduction: String) -> String {
        var message = "unknown \(noun) \"\(key)\""
        if let suggestion = closestKey(to: key, among: validKeys) {
            message += " (did you mean \"\(suggestion)\"?)"
        }
        let listed = validKeys.map { "\"\($0)\"" }.joined(separator: ", ")
        message += "; \(validIntroduction) \(listed)"
        return message
    }

    /// Returns the valid key closest to `key`. That is the one with the fewest edits (insertions,
    /// deletions, substitutions of one character) when that is at most 2 and less than the key's
    /// length, or else a valid key that starts with `key` or that `key` starts with.
    public static func closestKey(to key: String, among validKeys: [String]) -> String? {
        // A key far longer than every valid one is no misspelling of one, and the distance table
        // would cost its length times theirs.
        let longest = validKeys.map(\.count).max() ?? 0
        guard key.utf8.count <= 4 * longest + 8 else { return nil }
        let keyCharacters = Array(key)
        var best: (key: String, distance: Int)?
        for candidate in validKeys {
            let distance = editDistance(keyCharacters, Array(candidate))
            if distance <= 2, distance < keyCharacters.count, distance < (best?.distance ?? Int.max) {
                best = (candidate, distance)
            }
        }
        if let best { return best.key }
        guard keyCharacters.count >= 3 else { return nil }
        return validKeys.first { $0.hasPrefix(key) || key.hasPrefix($0) }
    }

    /// Computes the Levenshtein distance, keeping one row of the table at a time.
    private static func editDistance(_ source: [Character], _ target: [Character]) -> Int {
        var previous = Array(0...target.count)
        var current = [Int](repeating: 0, count: target.count + 1)
        for (sourceIndex, sourceCharacter) in source.enumerated() {
            current[0] = sourceIndex + 1
            for (targetIndex, targetCharacter) in target.enumerated() {
                let substitution = previous[targetIndex] + (sourceCharacter == targetCharacter ? 0 : 1)
                current[targetIndex + 1] = min(substitution, previous[targetIndex + 1] + 1, current[targetIndex] + 1)
            }
            swap(&previous, &current)
        }
        return previous[target.count]
    }
}
