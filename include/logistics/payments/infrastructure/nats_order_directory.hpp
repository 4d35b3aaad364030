// NatsOrderDirectory: asks the orders service about an order payments has not
// seen in its projection yet (orders.query.get), with a timeout.
//
// It is called on a NATS callback thread before a command is queued, never on
// the writer thread: the writer never waits on the network.
//
// Ownership: borrows the connection. Thread-safety: safe from any thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "logistics/nats/connection.hpp"
#include "logistics/payments/domain/order_view.hpp"

namespace logistics::payments::infrastructure {

struct OrderLookup {
  enum class Outcome { kFound, kNotFound, kUnavailable };
  Outcome outcome = Outcome::kUnavailable;
  std::optional<domain::OrderView> order;  // when found
  std::string detail;                      // why, when unavailable
};

class NatsOrderDirectory {
 public:
  NatsOrderDirectory(nats::Connection& connection, std::chrono::milliseconds timeout)
      : connection_(connection), timeout_(timeout) {}

  // kFound with the order's id, status and version; kNotFound when orders
  // answers 404; kUnavailable when it does not answer in time, nobody serves
  // the subject, or the answer is an error or malformed.
  OrderLookup Find(const std::string& order_id) const;

 private:
  nats::Connection& connection_;
  std::chrono::milliseconds timeout_;
};

}  // namespace logistics::payments::infrastructure
