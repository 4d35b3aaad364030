#include "logistics/messaging/outbox_message.hpp"

#include <string_view>

namespace logistics::messaging {

std::size_t WireSize(const OutboxMessage& message) {
  constexpr std::string_view kStatusLine = "NATS/1.0\r\n";
  constexpr std::string_view kSeparator = ": ";
  constexpr std::string_view kLineEnd = "\r\n";
  std::size_t size = message.subject.size() + kStatusLine.size() + kLineEnd.size();
  for (const auto& [name, value] : message.headers) {
    size += name.size() + kSeparator.size() + value.size() + kLineEnd.size();
  }
  return size + message.payload.size();
}

}  // namespace logistics::messaging
