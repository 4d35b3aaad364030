#include "logistics/json/object_writer.hpp"
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
  std::string body;
  body.reserve(event.data.size() + 512);
  json::ObjectWriter envelope(body);
  envelope.String("specversion", "1.0")
      .String("id", event.id)
      .String("source", event.source)
      .String("type", event.type)
      .String("subject", event.subject)
      .String("time", common::FormatRfc3339(event.time))
      .String("datacontenttype", "application/json")
      .Integer("aggregateversion", event.aggregate_version)
      .String("correlationid", event.correlation_id)
      .String("causationid", event.causation_id);
  if (event.traceparent) envelope.String("traceparent", *event.traceparent);
  if (event.tracestate) envelope.String("tracestate", *event.tracestate);
  envelope.Raw("data", event.data.empty() ? std::string_view("{}") : std::string_view(event.data));
  envelope.Close();

  OutboxMessage message;
  message.event_id = event.id;
  message.subject = std::move(nats_subject);
  message.headers = {{"Nats-Msg-Id", event.id},
                     {"Content-Type", "application/cloudevents+json"},
                     {"Correlation-Id", event.correlation_id}};
  // Also as headers, so NATS-level tracing sees the trace without parsing.
  if (event.traceparent) message.headers.emplace_back("traceparent", *event.traceparent);
  if (event.tracestate) message.headers.emplace_back("tracestate", *event.tracestate);
  message.payload = std::move(body);
  return message;
}

}  // namespace logistics::messaging
