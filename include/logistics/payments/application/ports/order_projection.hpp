// OrderProjection: the payments service's own record of the orders it has
// heard of, built from order events and from `orders.query.get` answers.
//
// It keeps one OrderView per order, the one with the greatest version seen:
// events can arrive more than once (redelivery) and out of order (a replay, or
// a fetched answer newer than the events consumed so far), and an older view
// must never overwrite a newer one (SPEC §7, aggregateversion). The SQLite
// implementation writes in the writer's transaction of the current command or
// consumed event, so a Record commits or rolls back with the payments saved
// alongside it; tests use InMemoryOrderProjection.
//
// Every method fails only with a PortError; "not seen" is an empty optional.
//
// Thread-safety: an instance is used by one thread at a time.
#pragma once

#include <optional>
#include <string_view>

#include "logistics/payments/application/payment_failure.hpp"
#include "logistics/payments/domain/order_view.hpp"

namespace logistics::payments::application {

class OrderProjection {
 public:
  virtual ~OrderProjection() = default;

  // The newest view recorded for the order, or nullopt if it was never seen.
  virtual PaymentResult<std::optional<domain::OrderView>> Find(std::string_view order_id) = 0;

  // Stores `view` unless the stored view of the same order has a version >=
  // view.version. Returns true when it was stored, false when it was older
  // than or as old as what is stored (not a failure: a duplicate or late
  // event). Fails only with PortError.
  virtual PaymentResult<bool> Record(const domain::OrderView& view) = 0;
};

}  // namespace logistics::payments::application
