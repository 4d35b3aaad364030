#include "logistics/notifications/application/message_id.hpp"

namespace logistics::notifications::application {
namespace {

bool IsLetterOrDigit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// A host name as RFC 5322's dot-atom allows it in our use: labels of letters,
// digits and '-', separated by single dots.
bool IsHostName(std::string_view domain) {
  if (domain.empty() || domain.front() == '.' || domain.back() == '.') return false;
  char previous = '\0';
  for (const char c : domain) {
    if (!IsLetterOrDigit(c) && c != '-' && c != '.') return false;
    if (c == '.' && previous == '.') return false;
    previous = c;
  }
  return true;
}

}  // namespace

std::string MessageIdFor(std::string_view event_id, std::string_view domain) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string id = "<";
  for (const char c : event_id) {
    if (IsLetterOrDigit(c) || c == '-') {
      id += c;
    } else {
      // '=' is itself escaped, so the escaping cannot make two ids equal.
      const auto byte = static_cast<unsigned char>(c);
      id += '=';
      id += kHex[byte >> 4];
      id += kHex[byte & 0x0F];
    }
  }
  id += '@';
  id += IsHostName(domain) ? domain : kDefaultMessageIdDomain;
  id += '>';
  return id;
}

}  // namespace logistics::notifications::application
