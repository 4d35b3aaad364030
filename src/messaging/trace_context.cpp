#include "logistics/messaging/trace_context.hpp"

namespace logistics::messaging {
namespace {

bool IsLowerHex(std::string_view text) {
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool AllZero(std::string_view text) { return text.find_first_not_of('0') == std::string_view::npos; }

}  // namespace

bool IsValidTraceparent(std::string_view value) {
  if (value.size() != kTraceparentLength || value[2] != '-' || value[35] != '-' ||
      value[52] != '-') {
    return false;
  }
  const auto version = value.substr(0, 2);
  const auto trace_id = value.substr(3, 32);
  const auto parent_id = value.substr(36, 16);
  const auto flags = value.substr(53, 2);
  return IsLowerHex(version) && IsLowerHex(trace_id) && IsLowerHex(parent_id) &&
         IsLowerHex(flags) && version != "ff" && !AllZero(trace_id) && !AllZero(parent_id);
}

bool IsAcceptableTracestate(std::string_view value) {
  if (value.empty() || value.size() > kMaxTracestateLength) return false;
  for (const char c : value) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return TracestateMemberCount(value) <= kMaxTracestateMembers;
}

std::size_t TracestateMemberCount(std::string_view value) {
  std::size_t members = 0;
  while (true) {
    const std::size_t comma = value.find(',');
    const std::string_view element = value.substr(0, comma);
    if (element.find_first_not_of(" \t") != std::string_view::npos) ++members;
    if (comma == std::string_view::npos) return members;
    value.remove_prefix(comma + 1);
  }
}

}  // namespace logistics::messaging
