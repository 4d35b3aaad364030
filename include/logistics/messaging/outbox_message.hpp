// OutboxMessage: one event waiting to be published, as the relay sees it.
//
// The messaging library never looks inside: a message is an id (which becomes
// the Nats-Msg-Id the stream de-duplicates on), a subject, headers and an
// opaque payload. Services build them from their domain events.
//
// Thread-safety: a plain value.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace logistics::messaging {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct OutboxMessage {
  std::string event_id;
  std::string subject;
  Headers headers;
  std::string payload;
};

}  // namespace logistics::messaging
