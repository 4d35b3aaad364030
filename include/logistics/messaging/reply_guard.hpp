// ReplyGuard: replies go only where replies belong.
//
// A request names its reply subject, and a service answers there. Were any
// subject accepted, a requester could make a service publish on its behalf
// wherever the service may publish (the confused deputy): a reply subject
// `$JS.API.STREAM.PURGE.ORDERS` would have orders empty its own stream, an
// event subject would store a forged event. So a service serves a request
// only when its reply subject lies in the inbox space (`_INBOX.` followed by
// a plain subject; every user's own inboxes are `_INBOX.<user>.…`) or when it
// has none (`nats pub`). Anything else is refused before the handler runs:
// not answered, counted (`replies_refused` in the status) and logged with the
// request's subject and the reply subject it named. The server configuration
// refuses such a publish independently (deploy/nats/nats-server.conf).
//
// Thread-safety: Allows() may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

namespace logistics::messaging {

inline constexpr std::string_view kInboxSpace = "_INBOX.";

// True when `reply` is empty (no answer wanted) or a plain subject under
// kInboxSpace.
bool IsInboxReply(std::string_view reply);

class ReplyGuard {
 public:
  // True when a request on `subject` naming `reply` may be served; otherwise
  // counts and logs the refusal.
  bool Allows(std::string_view subject, std::string_view reply) const;
  std::int64_t refused() const { return refused_.load(); }

 private:
  mutable std::atomic<std::int64_t> refused_{0};  // a count, not state
};

}  // namespace logistics::messaging
