// NatsOrderDirectory: OrderDirectory over NATS request-reply: asks the orders
// service (orders.query.get) about an order payments has not seen in its
// projection yet, with a timeout.
//
// It is called on a NATS callback thread before a command is queued, never on
// the writer thread: the writer never waits on the network.
//
// Ownership: borrows the connection. Thread-safety: safe from any thread.
#pragma once

#include <chrono>
#include <string>

#include "logistics/nats/connection.hpp"
#include "logistics/payments/application/ports/order_directory.hpp"

namespace logistics::payments::infrastructure {

class NatsOrderDirectory final : public application::OrderDirectory {
 public:
  NatsOrderDirectory(nats::Connection& connection, std::chrono::milliseconds timeout)
      : connection_(connection), timeout_(timeout) {}

  // kFound with the order's id, status and version; kNotFound when orders
  // answers 404; kUnavailable when it does not answer in time, nobody serves
  // the subject, or the answer is an error or malformed.
  application::OrderLookup Find(const std::string& order_id) const override;

 private:
  nats::Connection& connection_;
  std::chrono::milliseconds timeout_;
};

}  // namespace logistics::payments::infrastructure
