#include "logistics/json/json_text.hpp"
#include "logistics/messaging/cloud_event.hpp"

namespace logistics::messaging {

CloudEvent NewCloudEvent(std::string id, std::string_view source, std::string type,
                         std::string subject, common::Timestamp time, std::int64_t aggregate_version,
                         const EventMetadata& metadata) {
  CloudEvent event;
  event.id = std::move(id);
  event.source = std::string(source);
  event.type = std::move(type);
  event.subject = std::move(subject);
  event.time = time;
  event.aggregate_version = aggregate_version;
  event.correlation_id = metadata.correlation_id;
  event.causation_id = metadata.causation_id;
  event.traceparent = metadata.traceparent;
  event.tracestate = metadata.tracestate;
  return event;
}

OutboxMessage ToOutboxMessage(const CloudEvent& event, std::string nats_subject) {
  nlohmann::ordered_json body;
  body["specversion"] = "1.0";
  body["id"] = event.id;
  body["source"] = event.source;
  body["type"] = event.type;
  body["subject"] = event.subject;
  body["time"] = common::FormatRfc3339(event.time);
  body["datacontenttype"] = "application/json";
  body["aggregateversion"] = event.aggregate_version;
  body["correlationid"] = event.correlation_id;
  body["causationid"] = event.causation_id;
  if (event.traceparent) body["traceparent"] = *event.traceparent;
  if (event.tracestate) body["tracestate"] = *event.tracestate;
  body["data"] = event.data;

  OutboxMessage message;
  message.event_id = event.id;
  message.subject = std::move(nats_subject);
  message.headers = {{"Nats-Msg-Id", event.id},
                     {"Content-Type", "application/cloudevents+json"},
                     {"Correlation-Id", event.correlation_id}};
  // Also as headers, so NATS-level tracing sees the trace without parsing.
  if (event.traceparent) message.headers.emplace_back("traceparent", *event.traceparent);
  if (event.tracestate) message.headers.emplace_back("tracestate", *event.tracestate);
  message.payload = json::Serialize(body);
  return message;
}

}  // namespace logistics::messaging
