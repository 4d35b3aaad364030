// What a CheckoutLoad's answers promise about the streams, checked after a
// test broke things under that load (nodes killed, instances killed or
// paused): every checkout was answered to the end, and no answered command is
// without its event.
//
// Each check is one Catch2 CHECK over all checkouts (how many are wrong, the
// first), readable on a load of hundreds. Header-only; call from the test
// thread, after CheckoutLoad::Join().
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "integration/checkout_load.hpp"
#include "support/harness/nats_client.hpp"
#include "support/stream_invariants.hpp"

namespace logistics::testing {

// Every checkout answered to the end: the clients' retries with the same
// Nats-Msg-Id got every command through whatever broke.
inline void CheckEveryCheckoutAnswered(const std::vector<Checkout>& checkouts) {
  std::vector<std::string> failures;
  for (const auto& checkout : checkouts) {
    if (!checkout.failure.empty()) {
      failures.push_back("checkout " + std::to_string(checkout.index) + ": " + checkout.failure);
    }
  }
  INFO(failures.size() << " checkouts failed; the first: "
                       << (failures.empty() ? "" : failures.front()));
  CHECK(failures.empty());
}

// True if `aggregate` has exactly one event of `type` in `types`.
inline bool HasOnce(const std::map<std::string, std::vector<std::string>>& types,
                    const std::string& aggregate, const std::string& type) {
  const auto found = types.find(aggregate);
  return found != types.end() && std::count(found->second.begin(), found->second.end(), type) == 1;
}

// No acknowledged command without its event: each answered create has its
// order.created, each register its payment.registered, each confirm its
// payment.confirmed and, through orders, the order's order.paid; once each.
inline void CheckAnsweredCommandsHaveEvents(const std::vector<Checkout>& checkouts,
                                            const std::vector<StreamMessage>& orders,
                                            const std::vector<StreamMessage>& payments) {
  const auto order_types = TypesByAggregate(orders);
  const auto payment_types = TypesByAggregate(payments);
  std::vector<std::string> missing;
  for (const auto& checkout : checkouts) {
    const std::string which = "checkout " + std::to_string(checkout.index) + ": ";
    if (!checkout.order_id.empty() &&
        !HasOnce(order_types, checkout.order_id, "logistics.order.created.v1")) {
      missing.push_back(which + "order.created of " + checkout.order_id);
    }
    if (!checkout.payment_id.empty() &&
        !HasOnce(payment_types, checkout.payment_id, "logistics.payment.registered.v1")) {
      missing.push_back(which + "payment.registered of " + checkout.payment_id);
    }
    if (checkout.confirmed) {
      if (!HasOnce(payment_types, checkout.payment_id, "logistics.payment.confirmed.v1")) {
        missing.push_back(which + "payment.confirmed of " + checkout.payment_id);
      }
      if (!HasOnce(order_types, checkout.order_id, "logistics.order.paid.v1")) {
        missing.push_back(which + "order.paid of " + checkout.order_id);
      }
    }
  }
  INFO(missing.size() << " answered commands without their event; the first: "
                      << (missing.empty() ? "" : missing.front()));
  CHECK(missing.empty());
}

}  // namespace logistics::testing
