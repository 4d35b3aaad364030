// Order events as CloudEvents on NATS subjects.
//
// An OrderEvent of type T about order X becomes the CloudEvent
//   type "logistics.order.<T>.v1", source "/logistics/orders", subject X,
//   aggregateversion = the order's version after the change,
//   data = the order (order_json.hpp) plus "reason" (cancelled) or
//   "payment_id" (paid),
// published on the NATS subject "orders.events.<X>.<T>" in stream ORDERS.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>

#include "logistics/messaging/cloud_event.hpp"
#include "logistics/messaging/stream_setup.hpp"
#include "logistics/orders/domain/order_event.hpp"

namespace logistics::orders::infrastructure {

inline constexpr std::string_view kOrdersSource = "/logistics/orders";
inline constexpr std::string_view kOrdersStream = "ORDERS";

// What a command (or a consumed event) contributes to the events it causes.
struct EventMetadata {
  std::string correlation_id;
  std::string causation_id;  // the command's key or request id, or the triggering event's id
  std::optional<std::string> traceparent;
  std::optional<std::string> tracestate;
};

messaging::CloudEvent ToCloudEvent(const domain::OrderEvent& event, std::string event_id,
                                   const EventMetadata& metadata);

// "orders.events.<order_id>.<name>".
std::string EventSubject(const domain::OrderEvent& event);

// The ORDERS stream: "orders.events.>", never a command subject.
messaging::StreamSpec OrdersStream(std::chrono::milliseconds duplicate_window);

}  // namespace logistics::orders::infrastructure
