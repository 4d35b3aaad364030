#include "logistics/messaging/request_metadata.hpp"

#include "logistics/messaging/trace_context.hpp"

namespace logistics::messaging {
namespace {

// Printable ASCII without space: what a key or correlation id may hold. A
// space would read as two words in logs; anything else (control characters,
// bytes of UTF-8) has no business in an id, and some of it none in a header.
bool IsIdCharacter(char c) { return c >= 0x21 && c <= 0x7E; }

// A header's value, or nullopt when it is absent or empty.
const std::string* Given(const std::optional<std::string>& header) {
  return header && !header->empty() ? &*header : nullptr;
}

}  // namespace

std::optional<std::string> IdHeaderProblem(std::string_view value) {
  if (value.size() > kMaxIdHeaderLength) {
    return "is longer than " + std::to_string(kMaxIdHeaderLength) + " characters";
  }
  for (const char c : value) {
    if (!IsIdCharacter(c)) return "must be printable ASCII without spaces";
  }
  return std::nullopt;
}

std::optional<std::string> TraceparentProblem(std::string_view value) {
  if (value.size() > kTraceparentLength) {
    return "is longer than " + std::to_string(kTraceparentLength) +
           " characters (W3C trace context version 00)";
  }
  return std::nullopt;
}

std::optional<std::string> TracestateProblem(std::string_view value) {
  if (value.size() > kMaxTracestateLength) {
    return "is longer than " + std::to_string(kMaxTracestateLength) + " characters";
  }
  if (TracestateMemberCount(value) > kMaxTracestateMembers) {
    return "has more than " + std::to_string(kMaxTracestateMembers) + " list-members";
  }
  return std::nullopt;
}

DecodedMetadata DecodeRequestMetadata(const RequestHeaders& headers, common::IdGenerator& ids,
                                      std::size_t max_event_bytes) {
  DecodedMetadata decoded;
  RequestMetadata& metadata = decoded.metadata;
  metadata.max_event_bytes = max_event_bytes;
  // Each header out of bounds is named and left out, so that the answer
  // (which may echo the key and the correlation id) stays small and clean.
  auto out_of_bounds = [&decoded](std::string_view header,
                                  const std::optional<std::string>& problem) {
    if (problem) decoded.problems.push_back({std::string(header), *problem});
    return problem.has_value();
  };

  const std::string* key = Given(headers.msg_id);
  if (key != nullptr && !out_of_bounds("Nats-Msg-Id", IdHeaderProblem(*key))) {
    metadata.request_id = *key;
    metadata.request_id_from_client = true;
  } else {
    metadata.request_id = ids.NextId();
  }
  const std::string* correlation = Given(headers.correlation_id);
  metadata.correlation_id =
      correlation != nullptr && !out_of_bounds("Correlation-Id", IdHeaderProblem(*correlation))
          ? *correlation
          : ids.NextId();

  // Out of bounds is refused; malformed within them is ignored, and
  // tracestate with it (W3C). Both are checked, so that every problem is
  // named at once.
  const bool traceparent_fits =
      !headers.traceparent ||
      !out_of_bounds("traceparent", TraceparentProblem(*headers.traceparent));
  const bool tracestate_fits =
      !headers.tracestate || !out_of_bounds("tracestate", TracestateProblem(*headers.tracestate));
  if (traceparent_fits && headers.traceparent && IsValidTraceparent(*headers.traceparent)) {
    metadata.traceparent = headers.traceparent;
    if (tracestate_fits && headers.tracestate && IsAcceptableTracestate(*headers.tracestate)) {
      metadata.tracestate = headers.tracestate;
    }
  }
  return decoded;
}

}  // namespace logistics::messaging
