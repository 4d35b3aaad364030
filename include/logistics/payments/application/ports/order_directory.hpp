// OrderDirectory: the port through which payments asks the orders service
// about an order its projection has not seen yet (the source of truth for
// orders lives there, not here).
//
// Implementation: NatsOrderDirectory (infrastructure: orders.query.get with a
// timeout); tests use FakeOrderDirectory (tests/support). Find is called on a
// transport thread before a command is queued, never on the writer thread:
// the writer never waits on the network.
//
// Find never fails as such: an unreachable orders service is the outcome
// kUnavailable, with a detail for the logs and the 503 reply.
//
// Thread-safety: implementations are safe to call from any thread.
#pragma once

#include <optional>
#include <string>

#include "logistics/payments/domain/order_view.hpp"

namespace logistics::payments::application {

struct OrderLookup {
  enum class Outcome { kFound, kNotFound, kUnavailable };
  Outcome outcome = Outcome::kUnavailable;
  std::optional<domain::OrderView> order;  // when kFound
  std::string detail;                      // why, when kUnavailable
};

class OrderDirectory {
 public:
  virtual ~OrderDirectory() = default;

  // kFound with the order's id, status and version; kNotFound when orders
  // does not know the order; kUnavailable when it cannot be asked or its
  // answer cannot be used.
  virtual OrderLookup Find(const std::string& order_id) const = 0;
};

}  // namespace logistics::payments::application
