/// The librdkafka properties that `replay` and `generate` take from `-F` files and `-X` flags.
///
/// `run` merges more layers (a config file and environment variables) in
/// `WorkerConfiguration`. Both read `-F` files with ``PropertiesFile`` and apply the same checks
/// to names and values.
enum KafkaPropertyOptions {
    /// Reads every `-F` file in order, then every `-X key=value` in order; later values win, also
    /// over another spelling of the same property (`linger.ms` and `queue.buffering.max.ms`).
    ///
    /// - Parameter example: A `-X` value shown in the message for a malformed pair.
    /// - Throws: ``UsageError`` naming the file and line, or the `-X` value, for an unreadable
    ///   file, a malformed pair, or an invisible character in a name or value.
    static func read(_ arguments: ParsedArguments, example: String) throws -> [String: String] {
        var properties = KafkaPropertyMap()
        for path in arguments.allValues("properties-file") {
            for entry in try PropertiesFile.read(path: path, origin: "librdkafka properties file (-F)") {
                properties.set(entry.key, to: entry.value, origin: "-F \(path):\(entry.line)")
            }
        }
        for pair in arguments.allValues("property") {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw UsageError("invalid value '\(pair)' for -X: expected key=value, for example -X \(example)")
            }
            let name = pair[..<equals]
            let value = pair[pair.index(after: equals)...]
            try checkVisible(name: name, value: value, origin: "-X")
            properties.set(String(name), to: String(value), origin: "-X")
        }
        return properties.values
    }

    /// Throws when a property name or value contains a control or format character, such as a byte
    /// order mark or a zero width space pasted with a host name.
    static func checkVisible(name: Substring, value: Substring, origin: String) throws {
        if let hidden = PropertiesFile.invisibleCharacter(in: name) {
            throw UsageError(
                "invalid librdkafka property name (from \(origin)): it contains the invisible character \(hidden); "
                    + "remove it"
            )
        }
        if let hidden = PropertiesFile.invisibleCharacter(in: value) {
            throw UsageError(
                "invalid value of librdkafka property '\(name)' (from \(origin)): it contains the invisible "
                    + "character \(hidden); remove it"
            )
        }
    }

    /// Throws when `servers`, given by `source`, is not a comma-separated list of non-empty
    /// entries, such as an empty `-b` from a missing bootstrap file.
    ///
    /// An entry may not contain white space, control characters (a `\r` from a file with Windows
    /// line ends) or `;`. After an optional `PROTOCOL://` prefix it needs a host, and a port after
    /// its last `:` must be 1 to 65535. An entry without a port (librdkafka then uses 9092) or
    /// ending in `]` (an IPv6 address) has no port to check.
    static func checkServerList(_ servers: String, source: String) throws {
        let entries = servers.split(separator: ",", omittingEmptySubsequences: false)
        let valid = entries.allSatisfy { entry in
            guard !entry.isEmpty, !entry.unicodeScalars.contains(where: Self.isSeparatorOrControl) else {
                return false
            }
            // A protocol prefix such as PLAINTEXT:// is not part of the host and port.
            var address = entry[...]
            if let scheme = address.range(of: "://") { address = address[scheme.upperBound...] }
            guard !address.isEmpty, address.first != ":" || address.hasPrefix("::") else { return false }
            guard let colon = address.lastIndex(of: ":"), address.last != "]" else { return true }
            let port = address[address.index(after: colon)...]
            return port.allSatisfy(\.isASCII) && (UInt16(port) ?? 0) > 0
        }
        guard valid else {
            let escaped = servers.unicodeScalars.map {
                $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0)
            }.joined()
            throw UsageError(
                "invalid value '\(escaped)' for \(source): expected HOST:PORT[,HOST:PORT...] with ports 1 to 65535, "
                    + "without spaces, line ends or empty entries"
            )
        }
    }

    private static func isSeparatorOrControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || scalar.properties.generalCategory == .control || scalar == ";"
    }

    /// Throws when `-b` is not a valid server list, or when `bootstrap.servers`, or
    /// `metadata.broker.list`, which librdkafka reads as another name of it, names other brokers.
    static func checkBootstrapAgrees(servers: String?, properties: [String: String]) throws {
        guard let servers else { return }
        try checkServerList(servers, source: "--bootstrap-servers")
        for name in ["bootstrap.servers", "metadata.broker.list"] {
            guard let property = properties[name], property != servers else { continue }
            throw UsageError(
                "conflicting bootstrap servers: -X/-F \(name)=\(property) differs from -b \(servers); "
                    + "give the brokers with -b only"
            )
        }
    }
}
