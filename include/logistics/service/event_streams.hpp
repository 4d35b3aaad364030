// The JetStream streams and durable consumers of the system, defined in one
// place: each service ensures its own at start-up (ServiceDefinition::streams,
// ServiceRuntime::AddConsumer), and `logistics-events provision`, which an
// administrator runs where services may not manage streams, creates the same
// ones, so the two can never disagree.
//
// A stream captures its service's event subjects only, never a command
// subject (it would answer `nats req` with a PubAck).
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "logistics/messaging/event_consumer.hpp"
#include "logistics/messaging/stream_setup.hpp"
#include "logistics/service/service_config.hpp"

namespace logistics::service {

// How long and how much a stream keeps (the services' and provisioning's
// --duplicate-window, --stream-max-age, --stream-max-bytes).
struct StreamRetention {
  std::chrono::milliseconds duplicate_window{std::chrono::minutes(10)};
  std::chrono::milliseconds max_age{std::chrono::hours(24 * 90)};
  std::int64_t max_bytes = std::int64_t{10} << 30;  // 10 GiB
};

// ORDERS: "orders.events.>" (logistics.order.*.v1).
messaging::StreamSpec OrdersStream(const StreamRetention& retention);

// PAYMENTS: "payments.events.>" (logistics.payment.*.v1).
messaging::StreamSpec PaymentsStream(const StreamRetention& retention);

// Every stream of the system, in the order above.
std::vector<messaging::StreamSpec> AllStreams(const StreamRetention& retention);

// The retention a service's configuration asks for.
StreamRetention RetentionOf(const ServiceConfig& config);

// The durable consumer through which `service` reads `stream`: named
// "<service>-<stream in lower case>" ("payments-orders"), every event of the
// stream. Retry, ack wait and batch settings are the runtime's
// (ServiceConfig; the provisioning step takes the same flags).
// Throws std::invalid_argument for a stream not defined here (a programming
// error, caught by every test that starts the service).
messaging::ConsumerSpec DurableConsumerOn(const std::string& service, const std::string& stream);

// Every durable consumer of the system: orders on PAYMENTS, payments on
// ORDERS, notifications on ORDERS and on PAYMENTS.
std::vector<messaging::ConsumerSpec> AllDurableConsumers();

}  // namespace logistics::service
