// RequestMetadata: what a request's headers say about it, read within bounds.
//
//  - `Nats-Msg-Id`: the command's key (idempotency, causation); when absent a
//    request id is generated, so every command has a causation id;
//  - `Correlation-Id`: carried into every event the command causes; generated
//    when absent;
//  - `traceparent` / `tracestate` (W3C Trace Context): carried the same way.
// Header names are matched exactly as written above (nats.c is case-sensitive).
//
// These headers travel further than the request: `Correlation-Id` and the
// trace context go into every event it causes (body and headers), and
// `Nats-Msg-Id` into its idempotency record, its replies and its rejections.
// Unbounded, one request could make an event larger than the NATS server
// accepts (the relay would retry it forever, and every later event of the
// service would wait behind it) or an error reply too large to send. So each
// header is bounded where the request is decoded, before any handler runs; a
// request that breaks a bound is answered 400 INVALID_HEADER naming the header
// (messaging::InvalidHeader), never echoing its value:
//
//   Nats-Msg-Id, Correlation-Id  at most kMaxIdHeaderLength (128) characters,
//                                each printable ASCII other than space
//                                (0x21..0x7e); an empty value counts as
//                                absent (an id is generated for it)
//   traceparent                  at most kTraceparentLength (55) characters,
//                                the length of W3C version 00; within that a
//                                malformed value is ignored, with its
//                                tracestate (W3C: a receiver ignores it)
//   tracestate                   at most kMaxTracestateLength (512) characters
//                                and kMaxTracestateMembers (32) list-members
//                                (W3C's limits); within them a malformed value
//                                is ignored
//
// Thread-safety: plain values and pure functions (DecodeRequestMetadata takes
// ids from the generator it is given).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "logistics/common/id_generator.hpp"
#include "logistics/json/body_reader.hpp"
#include "logistics/messaging/outbox_message.hpp"

namespace logistics::messaging {

// The longest Nats-Msg-Id or Correlation-Id accepted: generous for any key a
// client makes (a UUID has 36 characters) and small next to the server's
// max_payload, in every event, reply and rejection that carries one.
inline constexpr std::size_t kMaxIdHeaderLength = 128;

// Every field is within the bounds above.
struct RequestMetadata {
  std::string request_id;               // Nats-Msg-Id, or a generated UUIDv7
  bool request_id_from_client = false;  // true when Nats-Msg-Id was sent
  std::string correlation_id;           // Correlation-Id, or a generated UUIDv7
  std::optional<std::string> traceparent;
  std::optional<std::string> tracestate;
  // Not a header: the largest message the NATS server takes (its max_payload,
  // headers and payload together), as the connection the request came on
  // knew it. An event the request causes must fit, or the command is refused
  // before it commits (SqliteOutbox::Append).
  std::size_t max_event_bytes = kDefaultMaxEventBytes;
};

// A request's headers as received; nullopt when absent.
struct RequestHeaders {
  std::optional<std::string> msg_id;          // Nats-Msg-Id
  std::optional<std::string> correlation_id;  // Correlation-Id
  std::optional<std::string> traceparent;
  std::optional<std::string> tracestate;
};

// Why `value` cannot be a Nats-Msg-Id or Correlation-Id ("is longer than 128
// characters", ...), or nullopt when it can. An empty value is the caller's
// business (it means "absent").
std::optional<std::string> IdHeaderProblem(std::string_view value);
// Why a traceparent is out of bounds (longer than W3C version 00), or nullopt.
std::optional<std::string> TraceparentProblem(std::string_view value);
// Why a tracestate is out of bounds (too long, too many list-members), or
// nullopt.
std::optional<std::string> TracestateProblem(std::string_view value);

struct DecodedMetadata {
  // Always usable, even when `problems` is not empty: a header out of bounds
  // is left out (an id generated in its place), so nothing that answers the
  // request carries it.
  RequestMetadata metadata;
  // One per header out of its bounds, the header's name as `field`, in the
  // order of the table above. Empty: the request may be handled.
  std::vector<json::FieldProblem> problems;
};

// The request's metadata from its headers. Takes from `ids` the request id
// when Nats-Msg-Id is absent or out of bounds, and the correlation id when
// Correlation-Id is. `max_event_bytes` is copied into the metadata.
DecodedMetadata DecodeRequestMetadata(const RequestHeaders& headers, common::IdGenerator& ids,
                                      std::size_t max_event_bytes = kDefaultMaxEventBytes);

}  // namespace logistics::messaging
