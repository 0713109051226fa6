/// An error for a replay stopped by SIGINT, SIGTERM or SIGHUP. The records before the signal are
/// written and the output is closed, so a `.zst` file ends with a complete frame. The output is
/// still incomplete, because the input was not read to its end and no watermark reached `--to`.
struct ReplayInterrupted: Error, CustomStringConvertible {
    var description: String {
        "interrupted by a signal; the output holds the records up to the interruption and is incomplete: "
            + "run the replay again to get all of them"
    }
}
