import StreamCore

/// A notice for an input file whose first line suggests the other `--input-format`.
///
/// Without it, an envelope file replayed as `events` has almost every record rejected as
/// `missing_field`, and the run still exits with status 0.
enum ReplayInputFormatHint {
    /// The members that mark a `kcat -J` envelope besides `payload`.
    static let envelopeMembers = ["partition", "offset", "topic"]

    /// Returns a notice when the first non-blank line does not fit `format`, or `nil`.
    ///
    /// For `events`, the line is a JSON object with `payload`, one of `partition`, `offset` and
    /// `topic`, and no `meme_id`. For `kcat`, the line is a JSON object without `payload`, or
    /// with `payload` but none of `partition`, `offset` and `topic`. A line that is not a JSON
    /// object gets no notice, because it fits neither format.
    static func notice(firstLine: UnsafeRawBufferPointer, format: ReplayOptions.InputFormat) -> String? {
        guard let names = JSONDocumentCheck.topLevelMemberNames(in: firstLine) else { return nil }
        let looksLikeEnvelope = names.contains("payload") && names.contains { envelopeMembers.contains($0) }
        switch format {
        case .events:
            guard looksLikeEnvelope, !names.contains("meme_id") else { return nil }
            return "the first line looks like a kcat -J envelope (it has \"payload\" and "
                + "\"partition\", \"offset\" or \"topic\", but no \"meme_id\"), and envelopes read as events "
                + "are rejected as missing_field; if kcat -J wrote this file, replay it with --input-format kcat"
        case .kcat:
            guard !looksLikeEnvelope else { return nil }
            return "the first line does not look like a kcat -J envelope (it lacks \"payload\" with "
                + "\"partition\", \"offset\" or \"topic\"), so it will be rejected as bad_envelope; if the file "
                + "contains one event per line, replay it with --input-format events"
        }
    }
}
