// Timestamps and their RFC 3339 text form.
//
// A Timestamp is a point in UTC with millisecond precision: the precision of
// every time this system stores or sends. FormatRfc3339 always writes
// "YYYY-MM-DDTHH:MM:SS.mmmZ"; ParseRfc3339 accepts any RFC 3339 date-time
// (fraction optional, 'Z' or a numeric offset) and returns it in UTC.
//
// Thread-safety: free functions over values; safe from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace logistics::common {

using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

// Milliseconds since the Unix epoch, the form timestamps take in SQLite.
std::int64_t ToUnixMillis(Timestamp time);
Timestamp FromUnixMillis(std::int64_t millis);

// "2026-11-25T09:30:00.123Z".
std::string FormatRfc3339(Timestamp time);

// Returns nullopt for anything that is not an RFC 3339 date-time (including
// out-of-range fields such as month 13 or second 61). Sub-millisecond digits
// are truncated.
std::optional<Timestamp> ParseRfc3339(std::string_view text);

}  // namespace logistics::common
