/// Thrown when SIGINT, SIGTERM or SIGHUP arrives during a replay. The records before it are written and
/// the output is closed (a `.zst` file ends with a complete frame), but the input was not read to
/// its end and the watermarks were not advanced to `--to`, so the output is incomplete.
struct ReplayInterrupted: Error, CustomStringConvertible {
    var description: String {
        "interrupted by a signal; the output holds the records up to the interruption and is incomplete: "
            + "run the replay again to get all of them"
    }
}
