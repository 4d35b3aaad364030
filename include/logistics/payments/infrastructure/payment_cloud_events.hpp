// Payment events as CloudEvents on NATS subjects.
//
// A PaymentEvent of type T about payment X becomes the CloudEvent
//   type "logistics.payment.<T>.v1", source "/logistics/payments", subject X,
//   aggregateversion = the payment's version after the change,
//   data = the payment (presentation/payment_json.hpp: one wire shape for
//   replies and events) plus "reason" for failed/refunded,
// published on "payments.events.<X>.<T>" in stream PAYMENTS.
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <string>

#include "logistics/messaging/cloud_event.hpp"
#include "logistics/messaging/event_metadata.hpp"
#include "logistics/payments/domain/payment_event.hpp"

namespace logistics::payments::infrastructure {

inline constexpr std::string_view kPaymentsSource = "/logistics/payments";

messaging::CloudEvent ToCloudEvent(const domain::PaymentEvent& event, std::string event_id,
                                   const messaging::EventMetadata& metadata);

// "payments.events.<payment_id>.<name>".
std::string EventSubject(const domain::PaymentEvent& event);

}  // namespace logistics::payments::infrastructure
