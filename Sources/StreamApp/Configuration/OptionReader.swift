import Glibc

/// Reads typed `run` option values from ``ConfigurationLayers``, with errors that name the flag,
/// variable or config-file key the value came from.
struct OptionReader {
    let layers: ConfigurationLayers

    /// Returns the raw text of `option` and its source, or `nil` when no layer sets it.
    func text(_ option: String) -> (text: String, source: ConfigurationSource)? {
        layers.value(option)
    }

    /// Returns a duration in ms of at least `minimum`, or `nil` when no layer sets it.
    ///
    /// - Throws: ``UsageError`` naming the source and the valid form.
    func duration(_ option: String, minimum: Int64) throws -> Int64? {
        guard let found = text(option) else { return nil }
        let milliseconds = try rethrowing(found.source) {
            try OptionValues.durationMilliseconds(found.text, option: option)
        }
        guard milliseconds >= minimum else {
            throw UsageError(
                "invalid value '\(found.text)' for \(found.source): expected a duration of at least \(minimum) ms"
            )
        }
        return milliseconds
    }

    /// Returns a whole number within `range`.
    ///
    /// - Throws: ``UsageError`` naming the source and the range.
    func integer(_ found: (text: String, source: ConfigurationSource), range: ClosedRange<Int64>) throws -> Int64 {
        guard let value = Int64(found.text), range.contains(value) else {
            throw UsageError(
                "invalid value '\(found.text)' for \(found.source): expected a whole number in \(range.lowerBound)...\(range.upperBound)"
            )
        }
        return value
    }

    /// Returns a Kafka topic name, or `nil` when no layer sets it.
    ///
    /// - Throws: ``UsageError`` unless the name has 1 to 249 characters from `a-z A-Z 0-9 . _ -`
    ///   and is not `.` or `..`, which is what Kafka accepts.
    func topic(_ option: String) throws -> String? {
        guard let found = text(option) else { return nil }
        try Self.checkTopicName(found.text, source: found.source)
        return found.text
    }

    /// Returns the checkpoint store, or `nil` when no layer sets it.
    ///
    /// - Throws: ``UsageError`` unless the value is `kafka:TOPIC` with a valid topic or
    ///   `dir:PATH` with a non-empty path that is a directory or does not exist yet.
    func checkpointStore() throws -> WorkerConfiguration.CheckpointStore? {
        guard let found = text("checkpoint-store") else { return nil }
        if found.text.hasPrefix("kafka:") {
            let topic = String(found.text.dropFirst("kafka:".count))
            try Self.checkTopicName(topic, source: found.source)
            return .kafka(topic: topic)
        }
        if found.text.hasPrefix("dir:"), found.text.count > "dir:".count {
            let path = String(found.text.dropFirst("dir:".count))
            // Checked now, because the store first writes at the first assignment, seconds or
            // minutes after the start.
            var status = stat()
            if stat(path, &status) == 0, (status.st_mode & S_IFMT) != S_IFDIR {
                throw UsageError(
                    "invalid value '\(found.text)' for \(found.source): \(path) exists and is not a directory; "
                        + "give a directory, or a path where one can be created"
                )
            }
            if stat(path, &status) == 0, access(path, W_OK) != 0 {
                throw UsageError(
                    "invalid value '\(found.text)' for \(found.source): the directory \(path) is not writable "
                        + "(\(String(cString: strerror(errno)))); make it writable for this user, or give another"
                )
            }
            return .directory(path: path)
        }
        throw UsageError(
            "invalid value '\(found.text)' for \(found.source): expected kafka:TOPIC or dir:PATH, for example dir:/var/lib/memestream"
        )
    }

    static func checkTopicName(_ name: String, source: ConfigurationSource) throws {
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= 97 && byte <= 122) || (byte >= 65 && byte <= 90) || (byte >= 48 && byte <= 57) || byte == 46
                || byte == 95 || byte == 45
        }
        guard allowed, (1...249).contains(name.utf8.count), name != ".", name != ".." else {
            throw UsageError(
                "invalid topic name '\(name)' for \(source): expected 1 to 249 characters from a-z, A-Z, 0-9, '.', '_' and '-', not '.' or '..'"
            )
        }
    }

    /// Runs `body` and, when it throws a ``UsageError`` for a value that did not come from a
    /// flag, adds which variable or config-file key set it.
    private func rethrowing<T>(_ source: ConfigurationSource, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as UsageError {
            if case .flag = source {
                throw error
            }
            throw UsageError(error.message + " (set by \(source))")
        }
    }
}
