// OutboxMessage: one event waiting to be published, as the relay sees it.
//
// The messaging library never looks inside: a message is an id (which becomes
// the Nats-Msg-Id the stream de-duplicates on), a subject, headers and an
// opaque payload. Services build them from their domain events.
//
// Thread-safety: a plain value and a pure function.
#pragma once

#include <cstddef>
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

// The NATS server's default max_payload (1 MiB): the limit assumed for events
// until a connection has told the real one.
inline constexpr std::size_t kDefaultMaxEventBytes = std::size_t{1} << 20;

// What the message takes on the wire, counted as the NATS server counts it
// against its max_payload (headers and payload together), plus the subject,
// so that the estimate never falls short of what the server sees: the header
// block as nats.c writes it ("NATS/1.0\r\n", "<name>: <value>\r\n" per
// header, a closing "\r\n"), then the payload.
std::size_t WireSize(const OutboxMessage& message);

}  // namespace logistics::messaging
