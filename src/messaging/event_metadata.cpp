#include "logistics/json/json_text.hpp"
#include "logistics/messaging/event_metadata.hpp"

#include "logistics/messaging/event_consumer.hpp"
#include "logistics/messaging/incoming_request.hpp"
#include "logistics/messaging/trace_context.hpp"

namespace logistics::messaging {
EventMetadata CausedByRequest(const RequestMetadata& request) {
  return EventMetadata{request.correlation_id, request.request_id, request.traceparent,
                       request.tracestate, request.max_event_bytes};
}

EventMetadata CausedByEvent(const ConsumedEvent& event) {
  EventMetadata metadata;
  metadata.correlation_id =
      json::StringMember(event.cloud_event, "correlationid").value_or(event.event_id);
  // The correlation id goes into the new event's headers: one that is no
  // valid header value (too long, spaces, control characters) is not carried.
  if (metadata.correlation_id.empty() || IdHeaderProblem(metadata.correlation_id)) {
    metadata.correlation_id = event.event_id;
  }
  metadata.causation_id = event.event_id;
  metadata.max_event_bytes = event.max_event_bytes;
  metadata.traceparent = json::StringMember(event.cloud_event, "traceparent");
  if (metadata.traceparent && !IsValidTraceparent(*metadata.traceparent)) {
    metadata.traceparent.reset();
  }
  if (metadata.traceparent) {
    metadata.tracestate = json::StringMember(event.cloud_event, "tracestate");
    if (metadata.tracestate && !IsAcceptableTracestate(*metadata.tracestate)) {
      metadata.tracestate.reset();
    }
  }
  return metadata;
}

}  // namespace logistics::messaging
