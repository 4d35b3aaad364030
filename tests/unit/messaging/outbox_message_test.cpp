#include <catch2/catch.hpp>

#include "logistics/messaging/outbox_message.hpp"

using logistics::messaging::OutboxMessage;
using logistics::messaging::WireSize;

TEST_CASE("a message's wire size counts its subject, its header block as NATS frames it, and its "
          "payload",
          "[messaging][outbox]") {
  const OutboxMessage message{"e1", "orders.events.1.created", {{"Nats-Msg-Id", "e1"}, {"k", "v"}},
                              R"({"id":"e1"})"};
  // "NATS/1.0\r\n" + "Nats-Msg-Id: e1\r\n" + "k: v\r\n" + "\r\n"
  const std::size_t header_block = 10 + 17 + 6 + 2;
  CHECK(WireSize(message) == message.subject.size() + header_block + message.payload.size());
  CHECK(WireSize(OutboxMessage{"e2", "s", {}, ""}) == 1 + 10 + 2);
}
