// The JetStream streams of the system, defined in one place: each service
// ensures its own at start-up (ServiceDefinition::streams), and an admin step
// that provisions every stream for a deployment where services may not manage
// streams reads the same definitions, so the two can never disagree.
//
// A stream captures its service's event subjects only, never a command
// subject (it would answer `nats req` with a PubAck).
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <vector>

#include "logistics/messaging/stream_setup.hpp"

namespace logistics::service {

// ORDERS: "orders.events.>" (logistics.order.*.v1).
messaging::StreamSpec OrdersStream(std::chrono::milliseconds duplicate_window);

// PAYMENTS: "payments.events.>" (logistics.payment.*.v1).
messaging::StreamSpec PaymentsStream(std::chrono::milliseconds duplicate_window);

// Every stream of the system, in the order above.
std::vector<messaging::StreamSpec> AllStreams(std::chrono::milliseconds duplicate_window);

}  // namespace logistics::service
