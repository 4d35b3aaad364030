// EventMetadata: what a cause contributes to the events it causes.
//
// A command contributes its Correlation-Id (or a generated one), its key or
// request id as causation, and its W3C trace context. An event consumed by
// another service contributes its own correlationid and trace context, and
// its id as causation. Every service builds its events' metadata through
// these two functions, so correlation works the same everywhere.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <optional>
#include <string>

namespace logistics::messaging {

struct RequestMetadata;
struct ConsumedEvent;

struct EventMetadata {
  std::string correlation_id;
  std::string causation_id;
  std::optional<std::string> traceparent;
  std::optional<std::string> tracestate;
};

// For events a command causes.
EventMetadata CausedByRequest(const RequestMetadata& request);

// For events a consumed event causes. An event without a correlationid
// starts a correlation of its own: its id.
EventMetadata CausedByEvent(const ConsumedEvent& event);

}  // namespace logistics::messaging
