// FakeOrderDirectory: OrderDirectory answering from a script, for unit tests
// of what payments does with an order it has not seen.
//
// Answers `next` to every Find (kUnavailable with no detail until told
// otherwise) and records each order id asked about, in order.
//
// Ownership: owns its script. Thread-safety: none (one test thread).
#pragma once

#include <string>
#include <vector>

#include "logistics/payments/application/ports/order_directory.hpp"

namespace logistics::testing {

class FakeOrderDirectory final : public payments::application::OrderDirectory {
 public:
  payments::application::OrderLookup Find(const std::string& order_id) const override {
    asked.push_back(order_id);
    return next;
  }

  payments::application::OrderLookup next;
  mutable std::vector<std::string> asked;
};

}  // namespace logistics::testing
