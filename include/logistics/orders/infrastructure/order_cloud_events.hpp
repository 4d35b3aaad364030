// Order events as CloudEvents on NATS subjects.
//
// An OrderEvent of type T about order X becomes the CloudEvent
//   type "logistics.order.<T>.v1", source "/logistics/orders", subject X,
//   aggregateversion = the order's version after the change,
//   data = the order (presentation/order_json.hpp: one wire shape for
//   replies and events) plus "reason" (cancelled) or "payment_id" (paid),
// published on the NATS subject "orders.events.<X>.<T>" in stream ORDERS.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>

#include "logistics/messaging/cloud_event.hpp"
#include "logistics/messaging/event_metadata.hpp"
#include "logistics/orders/domain/order_event.hpp"

namespace logistics::orders::infrastructure {

inline constexpr std::string_view kOrdersSource = "/logistics/orders";

messaging::CloudEvent ToCloudEvent(const domain::OrderEvent& event, std::string event_id,
                                   const messaging::EventMetadata& metadata);

// "orders.events.<order_id>.<name>".
std::string EventSubject(const domain::OrderEvent& event);

}  // namespace logistics::orders::infrastructure
