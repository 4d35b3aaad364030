// ParseSince: the value of `--since`, an absolute or relative start time.
//
// Accepts an RFC 3339 date-time ("2026-11-25T09:30:00Z", any offset) or a
// duration back from `now`: a positive whole number followed by one unit,
// s, m, h or d ("90s", "15m", "2h", "7d").
//
// Thread-safety: a pure function.
#pragma once

#include <optional>
#include <string_view>

#include "logistics/common/time.hpp"

namespace logistics::replay {

// The start time, or nullopt when `text` is neither form (a usage error).
std::optional<common::Timestamp> ParseSince(std::string_view text, common::Timestamp now);

}  // namespace logistics::replay
