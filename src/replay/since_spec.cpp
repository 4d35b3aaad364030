#include "logistics/replay/since_spec.hpp"

#include <charconv>
#include <cstdint>

namespace logistics::replay {

std::optional<common::Timestamp> ParseSince(std::string_view text, common::Timestamp now) {
  if (auto absolute = common::ParseRfc3339(text)) return absolute;
  if (text.size() < 2) return std::nullopt;
  std::int64_t count = 0;
  const std::string_view digits = text.substr(0, text.size() - 1);
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
  if (error != std::errc() || end != digits.data() + digits.size() || count <= 0) return std::nullopt;
  std::int64_t unit_seconds = 0;
  switch (text.back()) {
    case 's': unit_seconds = 1; break;
    case 'm': unit_seconds = 60; break;
    case 'h': unit_seconds = 3600; break;
    case 'd': unit_seconds = 86400; break;
    default: return std::nullopt;
  }
  // Beyond a hundred years back is a typo, not a start time.
  if (count > std::int64_t{36500} * 86400 / unit_seconds) return std::nullopt;
  return now - std::chrono::seconds(count * unit_seconds);
}

}  // namespace logistics::replay
