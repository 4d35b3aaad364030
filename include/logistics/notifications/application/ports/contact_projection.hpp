// ContactProjection: the notifications service's own record of the orders and
// payments it has heard of, built from ORDERS and PAYMENTS events.
//
// It keeps one OrderContact per order and one PaymentContact per payment, the
// one with the greatest version seen: events arrive more than once
// (redelivery) and, on a replay or after a retried event, out of order, and
// an older contact must never overwrite a newer one (SPEC §7,
// aggregateversion). The SQLite implementation writes in the writer's
// transaction of the consumed event, so a Record commits or rolls back with
// the event's inbox row; tests use InMemoryContactProjection.
//
// Every method fails only with a PortError; "not seen" is an empty optional.
//
// Thread-safety: an instance is used by one thread at a time.
#pragma once

#include <optional>
#include <string_view>

#include "logistics/notifications/application/notification_result.hpp"
#include "logistics/notifications/domain/order_contact.hpp"
#include "logistics/notifications/domain/payment_contact.hpp"

namespace logistics::notifications::application {

class ContactProjection {
 public:
  virtual ~ContactProjection() = default;

  // The newest contact recorded for the order, or nullopt if it was never seen.
  virtual NotificationResult<std::optional<domain::OrderContact>> FindOrder(
      std::string_view order_id) = 0;

  // Stores `contact` unless the stored contact of the same order has a
  // version >= contact.version. Returns true when it was stored, false when it
  // was older than or as old as what is stored (not a failure: a duplicate or
  // late event).
  virtual NotificationResult<bool> RecordOrder(const domain::OrderContact& contact) = 0;

  // The newest contact recorded for the payment, or nullopt if never seen.
  virtual NotificationResult<std::optional<domain::PaymentContact>> FindPayment(
      std::string_view payment_id) = 0;

  // As RecordOrder, for a payment (keyed by payment_id).
  virtual NotificationResult<bool> RecordPayment(const domain::PaymentContact& contact) = 0;
};

}  // namespace logistics::notifications::application
