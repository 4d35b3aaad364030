// OrderUnitOfWork: the port that stores an order's change together with the
// events it recorded, atomically.
//
// Save writes the order's new state and appends its events to the outbox in
// the same transaction: either both become durable or neither does, so no
// event is ever published for a change that rolled back and no committed
// change loses its event. The implementation (SqliteOrderUnitOfWork) runs
// inside the writer's transaction for the current command; tests use
// InMemoryOrderUnitOfWork.
//
// Thread-safety: an instance is used by one thread at a time.
#pragma once

#include <vector>

#include "logistics/orders/application/order_failure.hpp"
#include "logistics/orders/domain/order.hpp"

namespace logistics::orders::application {

class OrderUnitOfWork {
 public:
  virtual ~OrderUnitOfWork() = default;

  // Inserts the order (version 1) or updates it (version > 1, only if the
  // stored version is version - 1), and appends `events` in order.
  // Fails with:
  //  - kDuplicateTrackingNumber when another order has the tracking number;
  //  - kConcurrentModification when the stored version is not version - 1;
  //  - PortError when storage fails.
  virtual OrderResult<void> Save(const domain::Order& order,
                                 const std::vector<domain::OrderEvent>& events) = 0;
};

}  // namespace logistics::orders::application
