// EventFacts: what the notifications use cases need to know of one consumed
// event, already taken out of its CloudEvent.
//
// The transport parses the CloudEvent JSON (README "Events") and fills:
//  - event_id from `id`, type from `type`;
//  - for an ORDERS event (`logistics.order.*`): `order` from `data` (order_id,
//    tracking_number, customer_name, customer_email or null, origin,
//    destination, status) with version = `aggregateversion`; `payment_id`
//    from data.payment_id (paid); `reason` from data.reason (cancelled);
//  - for a PAYMENTS event (`logistics.payment.*`): `payment` from `data`
//    (payment_id, order_id, amount, currency) with version =
//    `aggregateversion`; `reason` from data.reason (failed, refunded; absent
//    or null -> nullopt).
// It sets `order` or `payment` only when it could read them; an event of a
// known type without them is malformed, which the transport rejects before
// planning anything.
//
// Thread-safety: plain values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "logistics/notifications/domain/order_contact.hpp"
#include "logistics/notifications/domain/payment_contact.hpp"

namespace logistics::notifications::application {

// The CloudEvent types this service consumes.
inline constexpr std::string_view kOrderCreatedType = "logistics.order.created.v1";
inline constexpr std::string_view kOrderAssignedType = "logistics.order.assigned.v1";
inline constexpr std::string_view kOrderPaidType = "logistics.order.paid.v1";
inline constexpr std::string_view kOrderDispatchedType = "logistics.order.dispatched.v1";
inline constexpr std::string_view kOrderDeliveredType = "logistics.order.delivered.v1";
inline constexpr std::string_view kOrderCancelledType = "logistics.order.cancelled.v1";
inline constexpr std::string_view kPaymentRegisteredType = "logistics.payment.registered.v1";
inline constexpr std::string_view kPaymentConfirmedType = "logistics.payment.confirmed.v1";
inline constexpr std::string_view kPaymentFailedType = "logistics.payment.failed.v1";
inline constexpr std::string_view kPaymentRefundedType = "logistics.payment.refunded.v1";

struct EventFacts {
  std::string event_id;                           // the CloudEvent id
  std::string type;                               // the CloudEvent type
  std::optional<domain::OrderContact> order;      // ORDERS events: the order after the change
  std::optional<domain::PaymentContact> payment;  // PAYMENTS events: the payment after it
  std::optional<std::string> payment_id;          // order paid: the payment that paid it
  std::optional<std::string> reason;              // order cancelled, payment failed/refunded

  bool operator==(const EventFacts&) const = default;
};

}  // namespace logistics::notifications::application
