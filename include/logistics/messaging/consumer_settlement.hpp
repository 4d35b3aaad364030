// Consumer settlement: the policy that decides what happens to a consumed
// event, as pure functions (table-tested in consumer_settlement_test.cpp).
//
// Decide() runs inside the event's transaction, on what the handler said,
// and says what the transaction must record (an inbox row, a dead letter);
// AfterWrite() runs once the transaction ended and turns the decision into
// what the server is told. The consumer (event_consumer.cpp) does the I/O.
//
//   handler said   delivery          decision
//   applied        any               ack (with its inbox row)
//   ignored        any               ack
//   retry          before the last   retry: nak with backoff, a delivery spent
//   retry          the last          dead letter (recorded), term
//   reject         any               dead letter (recorded), term
//   wait           waited < limit    hold: keep the message (in progress), try
//                                    again later, no delivery spent
//   wait           waited >= limit   dead letter (recorded), term
//
//   transaction    decision          settlement
//   committed      d                 d
//   storage full   any               hold (nothing was stored; space comes back)
//   rolled back /  hold              hold
//   failed         otherwise         retry
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <cstdint>

#include "logistics/messaging/handler_result.hpp"
#include "logistics/messaging/writer.hpp"

namespace logistics::messaging {

enum class Settlement {
  kAck,         // done: acknowledge
  kRetry,       // nak with a backoff delay; counts as a delivery
  kDeadLetter,  // recorded as a dead letter; terminate
  kHold,        // keep the message in progress and try again; no delivery spent
};

struct DeliveryFacts {
  HandlerResult::Kind outcome = HandlerResult::Kind::kApplied;
  std::uint64_t deliveries = 1;  // this one included
  std::int64_t max_deliveries = 5;
  // How long the event has waited for its dependency while the service's
  // other consumers were caught up, and how long it may.
  std::chrono::milliseconds waited{0};
  std::chrono::milliseconds wait_limit{60000};
};

Settlement Decide(const DeliveryFacts& facts);
Settlement AfterWrite(Settlement decided, WriteStatus status);

// Redelivery delay after the n-th delivery: initial, 2x, 4x ... up to max.
std::chrono::milliseconds RetryDelay(std::uint64_t deliveries, std::chrono::milliseconds initial,
                                     std::chrono::milliseconds max);

}  // namespace logistics::messaging
