// Reference decoder for `scripts/bench-decode.sh`: parses every line of a corpus file with
// simdjson's On-Demand API, extracts and validates the same event fields as memestream's
// EventDecoder, and prints events/s and MB/s in the same `name: value` form.
//
// It is a standalone program compiled with g++ by the script; the Swift package does not
// depend on simdjson.
//
// What it checks: the top level is an object with no trailing content; known member names are
// unique; meme_id and user_id are strings of 1-128 bytes; type matches [a-z][a-z0-9_]{0,31};
// ts and published_at are integers or RFC 3339 strings in [10^12, 10^13) ms; dwell_ms is a
// non-negative integer. simdjson validates UTF-8 for the whole input, but it checks skipped
// values (unknown members) less strictly than EventDecoder, and this program does not compare
// unknown member names with each other.
//
// Usage: decode-simdjson CORPUS_FILE [ROUNDS]

#include <simdjson.h>
#include <time.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr int64_t kMinimumValid = 1'000'000'000'000;
constexpr int64_t kEndOfValid = 10'000'000'000'000;

struct Event {
    std::string meme_id;
    std::string type;
    int64_t ts = 0;
    std::string user_id;
    bool has_user_id = false;
    int64_t published_at = 0;
    bool has_published_at = false;
    int64_t dwell_ms = 0;
    bool has_dwell_ms = false;
};

bool two_digits(std::string_view text, size_t at, int64_t& value) {
    if (text[at] < '0' || text[at] > '9' || text[at + 1] < '0' || text[at + 1] > '9') return false;
    value = (text[at] - '0') * 10 + (text[at + 1] - '0');
    return true;
}

int64_t days_from_civil(int64_t year, int64_t month, int64_t day) {
    const int64_t shifted_year = month <= 2 ? year - 1 : year;
    const int64_t cycle = (shifted_year >= 0 ? shifted_year : shifted_year - 399) / 400;
    const int64_t year_of_cycle = shifted_year - cycle * 400;
    const int64_t shifted_month = month > 2 ? month - 3 : month + 9;
    const int64_t day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    const int64_t day_of_cycle = year_of_cycle * 365 + year_of_cycle / 4 - year_of_cycle / 100 + day_of_year;
    return cycle * 146097 + day_of_cycle - 719468;
}

// Parses YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM) with the same rules as the Swift
// decoder (fraction truncated to ms, leap second only at 23:59 UTC, read as :59).
bool parse_rfc3339(std::string_view text, int64_t& milliseconds) {
    if (text.size() < 20) return false;

    // 1. Date and time fields at fixed positions.
    int64_t century, year_low, month, day, hour, minute, second;
    if (!two_digits(text, 0, century) || !two_digits(text, 2, year_low)) return false;
    const int64_t year = century * 100 + year_low;
    if (text[4] != '-' || !two_digits(text, 5, month) || text[7] != '-' || !two_digits(text, 8, day)) return false;
    if (text[10] != 'T' && text[10] != 't') return false;
    if (!two_digits(text, 11, hour) || text[13] != ':' || !two_digits(text, 14, minute) || text[16] != ':' ||
        !two_digits(text, 17, second))
        return false;

    // 2. Optional fraction, truncated to milliseconds.
    size_t index = 19;
    int64_t fraction = 0;
    if (text[index] == '.') {
        const size_t start = ++index;
        while (index < text.size() && text[index] >= '0' && text[index] <= '9') {
            if (index - start < 3) fraction = fraction * 10 + (text[index] - '0');
            ++index;
        }
        if (index == start) return false;
        for (size_t digits = index - start; digits < 3; ++digits) fraction *= 10;
    }

    // 3. Offset.
    if (index >= text.size()) return false;
    int64_t offset = 0;
    const char marker = text[index];
    if (marker == 'Z' || marker == 'z') {
        ++index;
    } else if (marker == '+' || marker == '-') {
        int64_t offset_hour, offset_minute;
        if (text.size() - index < 6 || !two_digits(text, index + 1, offset_hour) || text[index + 3] != ':' ||
            !two_digits(text, index + 4, offset_minute) || offset_hour > 23 || offset_minute > 59)
            return false;
        offset = (offset_hour * 60 + offset_minute) * (marker == '-' ? -1 : 1);
        index += 6;
    } else {
        return false;
    }
    if (index != text.size()) return false;

    // 4. Calendar ranges, then the conversion.
    static const int64_t month_lengths[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12) return false;
    const bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    const int64_t length = month == 2 && leap ? 29 : month_lengths[month - 1];
    if (day < 1 || day > length || hour > 23 || minute > 59) return false;
    if (second == 60) {
        const int64_t utc_minute = ((hour * 60 + minute - offset) % 1440 + 1440) % 1440;
        if (utc_minute != 23 * 60 + 59) return false;
        second = 59;
    } else if (second > 59) {
        return false;
    }
    const int64_t seconds_of_day = (hour * 60 + minute - offset) * 60 + second;
    milliseconds = (days_from_civil(year, month, day) * 86400 + seconds_of_day) * 1000 + fraction;
    return true;
}

bool timestamp(simdjson::ondemand::value value, int64_t& milliseconds) {
    simdjson::ondemand::json_type type;
    if (value.type().get(type)) return false;
    if (type == simdjson::ondemand::json_type::number) {
        // A raw-token check rejects 1.0 and 1e3, which simdjson may otherwise read as integers.
        std::string_view raw = value.raw_json_token();
        if (raw.find_first_of(".eE") != std::string_view::npos) return false;
        if (value.get_int64().get(milliseconds)) return false;
    } else if (type == simdjson::ondemand::json_type::string) {
        std::string_view text;
        if (value.get_string().get(text)) return false;
        if (!parse_rfc3339(text, milliseconds)) return false;
    } else {
        return false;
    }
    return milliseconds >= kMinimumValid && milliseconds < kEndOfValid;
}

bool is_event_type(std::string_view text) {
    if (text.empty() || text.size() > 32 || text[0] < 'a' || text[0] > 'z') return false;
    for (size_t index = 1; index < text.size(); ++index) {
        const char c = text[index];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    }
    return true;
}

// Returns true and fills `event` when the line is an accepted event.
bool decode(simdjson::ondemand::parser& parser, const char* data, size_t length, size_t capacity, Event& event) {
    simdjson::ondemand::document document;
    if (parser.iterate(data, length, capacity).get(document)) return false;
    simdjson::ondemand::object object;
    if (document.get_object().get(object)) return false;

    unsigned seen = 0;
    bool present[6] = {false, false, false, false, false, false};
    for (auto member : object) {
        std::string_view key;
        if (member.unescaped_key().get(key)) return false;
        int field = -1;
        if (key == "meme_id") field = 0;
        else if (key == "type") field = 1;
        else if (key == "ts") field = 2;
        else if (key == "user_id") field = 3;
        else if (key == "published_at") field = 4;
        else if (key == "dwell_ms") field = 5;
        if (field < 0) continue;  // Unknown members are skipped by the iterator.
        if (seen & (1u << field)) return false;
        seen |= 1u << field;

        simdjson::ondemand::value value;
        if (member.value().get(value)) return false;
        if (value.is_null()) continue;
        present[field] = true;
        std::string_view text;
        switch (field) {
            case 0:
            case 3:
                if (value.get_string().get(text) || text.empty() || text.size() > 128) return false;
                (field == 0 ? event.meme_id : event.user_id).assign(text);
                break;
            case 1:
                if (value.get_string().get(text) || !is_event_type(text)) return false;
                event.type.assign(text);
                break;
            case 2:
                if (!timestamp(value, event.ts)) return false;
                break;
            case 4:
                if (!timestamp(value, event.published_at)) return false;
                break;
            case 5: {
                std::string_view raw = value.raw_json_token();
                if (raw.find_first_of(".eE") != std::string_view::npos) return false;
                if (value.get_int64().get(event.dwell_ms) || event.dwell_ms < 0) return false;
                break;
            }
        }
    }
    // Trailing content after the object: in simdjson 3.0.1, current_location() returns
    // OUT_OF_BOUNDS at the end of the input and a location otherwise.
    if (!document.current_location().error()) return false;
    event.has_user_id = present[3];
    event.has_published_at = present[4];
    event.has_dwell_ms = present[5];
    return present[0] && present[1] && present[2];
}

double thread_cpu_seconds() {
    timespec time{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time);
    return time.tv_sec + time.tv_nsec * 1e-9;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s CORPUS_FILE [ROUNDS]\n", argv[0]);
        return 2;
    }
    const int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
    simdjson::padded_string corpus;
    if (simdjson::padded_string::load(argv[1]).get(corpus)) {
        std::fprintf(stderr, "cannot read corpus file %s\n", argv[1]);
        return 1;
    }

    // Line boundaries, found before timing. Each event is parsed in place; the padding simdjson
    // reads past an event's end is the rest of the corpus plus the padded_string's own padding.
    std::vector<std::pair<size_t, size_t>> lines;
    size_t start = 0;
    for (size_t index = 0; index < corpus.size(); ++index) {
        if (corpus.data()[index] == '\n') {
            if (index > start) lines.emplace_back(start, index - start);
            start = index + 1;
        }
    }
    if (start < corpus.size()) lines.emplace_back(start, corpus.size() - start);

    simdjson::ondemand::parser parser;
    double best_wall = 1e300;
    double best_cpu = 1e300;
    size_t accepted = 0;
    size_t event_bytes = 0;
    for (int round = 0; round < rounds; ++round) {
        accepted = 0;
        event_bytes = 0;
        const double cpu_start = thread_cpu_seconds();
        const auto wall_start = std::chrono::steady_clock::now();
        for (const auto& [offset, length] : lines) {
            Event event;
            const size_t capacity = corpus.size() + simdjson::SIMDJSON_PADDING - offset;
            if (decode(parser, corpus.data() + offset, length, capacity, event)) ++accepted;
            event_bytes += length;
        }
        const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - wall_start;
        best_wall = std::min(best_wall, wall.count());
        best_cpu = std::min(best_cpu, thread_cpu_seconds() - cpu_start);
    }

    const double events = static_cast<double>(lines.size());
    const double megabytes = static_cast<double>(event_bytes) / 1e6;
    std::printf("simdjson_version: %d.%d.%d\n", simdjson::SIMDJSON_VERSION_MAJOR, simdjson::SIMDJSON_VERSION_MINOR,
                simdjson::SIMDJSON_VERSION_REVISION);
    // On-Demand code is inlined from the header and runs the kernel chosen at compile time from
    // the -march flags, not the runtime-dispatched one of the shared library.
    std::printf("simdjson_ondemand_kernel: %s\n", SIMDJSON_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION));
    std::printf("corpus_events: %zu\n", lines.size());
    std::printf("accepted: %zu\n", accepted);
    std::printf("rejected: %zu\n", lines.size() - accepted);
    std::printf("best_round_wall_seconds: %.4f\n", best_wall);
    std::printf("best_round_cpu_seconds: %.4f\n", best_cpu);
    std::printf("events_per_second: %.0f\n", events / best_wall);
    std::printf("megabytes_per_second: %.1f\n", megabytes / best_wall);
    std::printf("events_per_cpu_second: %.0f\n", events / best_cpu);
    std::printf("megabytes_per_cpu_second: %.1f\n", megabytes / best_cpu);
    return 0;
}
