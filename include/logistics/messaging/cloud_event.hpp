// CloudEvent: the envelope of every event this system publishes.
//
// CloudEvents 1.0 in structured JSON mode (SPEC §3): the message body is the
// whole event, the header Content-Type is application/cloudevents+json and
// the header Nats-Msg-Id is the event id. Besides the required attributes we
// set `subject` (the aggregate id), `time`, `datacontenttype`, and the
// extensions `aggregateversion` (integer), `correlationid`, `causationid`,
// and, when the command carried them, `traceparent` / `tracestate` (the
// CloudEvents distributed-tracing extension).
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "logistics/common/time.hpp"
#include "logistics/messaging/event_metadata.hpp"
#include "logistics/messaging/outbox_message.hpp"

namespace logistics::messaging {

struct CloudEvent {
  std::string id;
  std::string source;   // "/logistics/orders"
  std::string type;     // "logistics.order.created.v1"
  std::string subject;  // the aggregate id
  common::Timestamp time;
  std::int64_t aggregate_version = 0;
  std::string correlation_id;
  std::string causation_id;
  std::optional<std::string> traceparent;
  std::optional<std::string> tracestate;
  std::string data;  // the JSON object `data`, already serialized
};

// An event with every attribute but `data` set, its extensions from `metadata`.
CloudEvent NewCloudEvent(std::string id, std::string_view source, std::string type,
                         std::string subject, common::Timestamp time, std::int64_t aggregate_version,
                         const EventMetadata& metadata);

// The outbox row that publishes `event` on `nats_subject`.
OutboxMessage ToOutboxMessage(const CloudEvent& event, std::string nats_subject);

}  // namespace logistics::messaging
