// W3C Trace Context headers, checked before they are carried into events.
//
// A request's `traceparent` is copied into every event it causes (CloudEvents
// distributed-tracing extension). The W3C recommendation says a receiver must
// ignore a malformed traceparent, and `tracestate` with it; we do the same, so
// a client's typo never produces an event that breaks its schema.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace logistics::messaging {

// "00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>", lower-case, version
// not "ff", ids not all zero.
bool IsValidTraceparent(std::string_view value);

// At most 512 characters of printable ASCII (W3C: list-members of key=value).
bool IsAcceptableTracestate(std::string_view value);

}  // namespace logistics::messaging
