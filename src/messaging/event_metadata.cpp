#include "logistics/messaging/event_metadata.hpp"

#include "logistics/messaging/event_consumer.hpp"
#include "logistics/messaging/incoming_request.hpp"
#include "logistics/messaging/trace_context.hpp"

namespace logistics::messaging {
namespace {

std::optional<std::string> StringAttribute(const nlohmann::json& event, const char* name) {
  const auto found = event.find(name);
  if (found == event.end() || !found->is_string()) return std::nullopt;
  return found->get<std::string>();
}

}  // namespace

EventMetadata CausedByRequest(const RequestMetadata& request) {
  return EventMetadata{request.correlation_id, request.request_id, request.traceparent,
                       request.tracestate};
}

EventMetadata CausedByEvent(const ConsumedEvent& event) {
  EventMetadata metadata;
  metadata.correlation_id =
      StringAttribute(event.cloud_event, "correlationid").value_or(event.event_id);
  if (metadata.correlation_id.empty()) metadata.correlation_id = event.event_id;
  metadata.causation_id = event.event_id;
  metadata.traceparent = StringAttribute(event.cloud_event, "traceparent");
  if (metadata.traceparent && !IsValidTraceparent(*metadata.traceparent)) {
    metadata.traceparent.reset();
  }
  if (metadata.traceparent) {
    metadata.tracestate = StringAttribute(event.cloud_event, "tracestate");
    if (metadata.tracestate && !IsAcceptableTracestate(*metadata.tracestate)) {
      metadata.tracestate.reset();
    }
  }
  return metadata;
}

}  // namespace logistics::messaging
