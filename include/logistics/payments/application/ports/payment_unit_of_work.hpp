// PaymentUnitOfWork: the port that stores a payment's change together with
// the events it recorded, atomically.
//
// Save writes the payment's new state and appends its events to the outbox in
// the same transaction: either both become durable or neither does, so no
// event is ever published for a change that rolled back and no committed
// change loses its event. The SQLite implementation runs inside the writer's
// transaction for the current command (or consumed event), so several Saves
// of one use case (compensation) and an OrderProjection::Record commit or
// roll back together; tests use InMemoryPaymentUnitOfWork.
//
// Thread-safety: an instance is used by one thread at a time.
#pragma once

#include <vector>

#include "logistics/payments/application/payment_failure.hpp"
#include "logistics/payments/domain/payment.hpp"

namespace logistics::payments::application {

class PaymentUnitOfWork {
 public:
  virtual ~PaymentUnitOfWork() = default;

  // Inserts the payment (version 1) or updates it (version > 1, only if the
  // stored version is version - 1), and appends `events` in order.
  // Fails with:
  //  - kConcurrentModification when the stored version is not version - 1
  //    (including an insert of an id that is already stored);
  //  - PortError when storage fails.
  virtual PaymentResult<void> Save(const domain::Payment& payment,
                                   const std::vector<domain::PaymentEvent>& events) = 0;
};

}  // namespace logistics::payments::application
