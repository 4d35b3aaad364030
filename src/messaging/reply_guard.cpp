#include "logistics/messaging/reply_guard.hpp"

#include <string>

#include "logistics/logging/log.hpp"
#include "logistics/nats/subject_filter.hpp"

namespace logistics::messaging {

bool IsInboxReply(std::string_view reply) {
  if (reply.empty()) return true;
  return reply.size() > kInboxSpace.size() && reply.substr(0, kInboxSpace.size()) == kInboxSpace &&
         nats::IsPlainSubject(reply);
}

bool ReplyGuard::Allows(std::string_view subject, std::string_view reply) const {
  if (IsInboxReply(reply)) return true;
  refused_.fetch_add(1);
  // At most a short, printable prefix of what the requester named.
  std::string named(reply.substr(0, 200));
  for (char& c : named) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  }
  logging::Warn("refused a request whose reply subject is outside the inbox space",
                {{"subject", std::string(subject)}, {"reply_subject", named}});
  return false;
}

}  // namespace logistics::messaging
