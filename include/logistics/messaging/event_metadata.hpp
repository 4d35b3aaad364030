// EventMetadata: what a cause contributes to the events it causes.
//
// A command contributes its Correlation-Id (or a generated one), its key or
// request id as causation, and its W3C trace context. An event consumed by
// another service contributes its own correlationid and trace context, and
// its id as causation. Every service builds its events' metadata through
// these two functions, so correlation works the same everywhere.
//
// Both also pass on the largest event the NATS server accepts, as the
// connection the cause came on knew it: the outbox refuses a larger one
// before it commits (SqliteOutbox::Append), so no committed event is one the
// server would refuse.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "logistics/messaging/request_metadata.hpp"

namespace logistics::messaging {

struct ConsumedEvent;

struct EventMetadata {
  std::string correlation_id;
  std::string causation_id;
  std::optional<std::string> traceparent;
  std::optional<std::string> tracestate;
  // Bytes an event may take on the wire: subject, headers and payload.
  std::size_t max_event_bytes = kDefaultMaxEventBytes;
};

// For events a command causes.
EventMetadata CausedByRequest(const RequestMetadata& request);

// For events a consumed event causes. An event without a correlationid (or
// with one that is no valid Correlation-Id, request_metadata.hpp) starts a
// correlation of its own: its id.
EventMetadata CausedByEvent(const ConsumedEvent& event);

}  // namespace logistics::messaging
