// OrderEvent: a fact about an order that other services may react to.
//
// Each change of an Order records exactly one event carrying the order as it
// is after the change (its version is the event's aggregate version) and the
// fields particular to that kind of event. Turning events into CloudEvents and
// NATS subjects is infrastructure's job.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "logistics/orders/domain/order_snapshot.hpp"

namespace logistics::orders::domain {

enum class OrderEventType { kCreated, kAssigned, kPaid, kDispatched, kDelivered, kCancelled };

// "created", "assigned", "paid", "dispatched", "delivered", "cancelled": the last
// token of the event's subject and the middle of its type name.
std::string_view EventName(OrderEventType type);

struct OrderEvent {
  OrderEventType type{};
  OrderSnapshot order;                    // the order after the change
  std::optional<std::string> reason;      // cancelled: the reason, when one was given
  std::optional<std::string> payment_id;  // paid: the payment that paid the order

  bool operator==(const OrderEvent&) const = default;
};

}  // namespace logistics::orders::domain
