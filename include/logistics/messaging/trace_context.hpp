// W3C Trace Context headers, checked before they are carried into events.
//
// A request's `traceparent` is copied into every event it causes (CloudEvents
// distributed-tracing extension). The W3C recommendation says a receiver must
// ignore a malformed traceparent, and `tracestate` with it; we do the same, so
// a client's typo never produces an event that breaks its schema.
//
// How long either may be is decided where a request is decoded
// (request_metadata.hpp): beyond these bounds a request is refused, not
// ignored.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace logistics::messaging {

// W3C's bounds: a version 00 traceparent is exactly 55 characters; a
// tracestate carries at most 32 list-members, and a receiver need not keep
// more than 512 characters of it.
inline constexpr std::size_t kTraceparentLength = 55;
inline constexpr std::size_t kMaxTracestateLength = 512;
inline constexpr std::size_t kMaxTracestateMembers = 32;

// "00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>", lower-case, version
// not "ff", ids not all zero.
bool IsValidTraceparent(std::string_view value);

// Not empty, at most 512 characters of printable ASCII and at most 32
// list-members (W3C: list-members of key=value).
bool IsAcceptableTracestate(std::string_view value);

// The list-members of a tracestate: its comma-separated elements that are not
// empty or blank (W3C allows those, and they count for nothing).
std::size_t TracestateMemberCount(std::string_view value);

}  // namespace logistics::messaging
