#include "logistics/messaging/dead_letter_requests.hpp"

#include "logistics/common/utf8.hpp"
#include "logistics/messaging/list_cursor.hpp"

namespace logistics::messaging {
namespace {

using common::Unexpected;

constexpr std::size_t kMaxEventId = 512;
constexpr std::size_t kMaxConsumer = 256;
constexpr std::size_t kMaxBy = 100;
constexpr std::size_t kMaxReason = 500;

common::Result<json::BodyReader, json::BodyError> Open(std::string_view body,
                                                       std::size_t max_bytes) {
  // An empty body (`nats req <subject> ''`) is an empty request.
  return json::BodyReader::Parse(body.empty() ? std::string_view("{}") : body, max_bytes);
}

// A present string must not be empty or blank.
void RefuseBlank(json::BodyReader& reader, std::string_view field,
                 const std::optional<std::string>& value) {
  if (value && common::IsBlank(*value)) reader.AddProblem(std::string(field), "must not be blank");
}

std::optional<DeadLetterRef> ReadRef(json::BodyReader& reader) {
  auto event_id = reader.RequiredString("event_id", kMaxEventId);
  RefuseBlank(reader, "event_id", event_id);
  auto consumer = reader.OptionalString("consumer", kMaxConsumer);
  RefuseBlank(reader, "consumer", consumer);
  if (!event_id) return std::nullopt;
  return DeadLetterRef{consumer.value_or(""), std::move(*event_id)};
}

template <typename T>
common::Result<T, json::BodyError> Finish(json::BodyReader& reader, std::optional<T> decoded) {
  if (auto problems = reader.Finish(); !problems.empty()) {
    return Unexpected{json::BodyReader::ValidationFailed(std::move(problems))};
  }
  return std::move(*decoded);
}

}  // namespace

common::Result<DeadLetterListRequest, json::BodyError> DecodeDeadLetterList(std::string_view body,
                                                                           std::size_t max_bytes) {
  auto reader = Open(body, max_bytes);
  if (!reader) return Unexpected{reader.error()};
  DeadLetterListRequest request;
  auto consumer = reader->OptionalString("consumer", kMaxConsumer);
  RefuseBlank(*reader, "consumer", consumer);
  request.consumer = consumer.value_or("");
  request.limit = reader->OptionalInteger("limit", 1, kDeadLetterPageMax).value_or(kDeadLetterPageDefault);
  if (auto cursor = reader->OptionalString("cursor")) {
    if (auto after = DecodeRowCursor(*cursor)) {
      request.after_id = *after;
    } else {
      reader->AddProblem("cursor", "is not a cursor of this list");
    }
  }
  return Finish(*reader, std::optional<DeadLetterListRequest>(std::move(request)));
}

common::Result<DeadLetterRef, json::BodyError> DecodeDeadLetterShow(std::string_view body,
                                                                   std::size_t max_bytes) {
  auto reader = Open(body, max_bytes);
  if (!reader) return Unexpected{reader.error()};
  auto ref = ReadRef(*reader);
  return Finish(*reader, std::move(ref));
}

common::Result<DeadLetterAction, json::BodyError> DecodeDeadLetterRequeue(std::string_view body,
                                                                         std::size_t max_bytes) {
  auto reader = Open(body, max_bytes);
  if (!reader) return Unexpected{reader.error()};
  auto ref = ReadRef(*reader);
  auto by = reader->OptionalString("by", kMaxBy);
  RefuseBlank(*reader, "by", by);
  auto reason = reader->OptionalString("reason", kMaxReason);
  RefuseBlank(*reader, "reason", reason);
  std::optional<DeadLetterAction> action;
  if (ref) action = DeadLetterAction{std::move(*ref), {by.value_or(""), reason.value_or("")}};
  return Finish(*reader, std::move(action));
}

common::Result<DeadLetterAction, json::BodyError> DecodeDeadLetterDiscard(std::string_view body,
                                                                         std::size_t max_bytes) {
  auto reader = Open(body, max_bytes);
  if (!reader) return Unexpected{reader.error()};
  auto ref = ReadRef(*reader);
  // Who discarded what, and why, is all that is left of it.
  auto reason = reader->RequiredString("reason", kMaxReason);
  RefuseBlank(*reader, "reason", reason);
  auto by = reader->RequiredString("by", kMaxBy);
  RefuseBlank(*reader, "by", by);
  std::optional<DeadLetterAction> action;
  if (ref && reason && by) action = DeadLetterAction{std::move(*ref), {std::move(*by), std::move(*reason)}};
  return Finish(*reader, std::move(action));
}

}  // namespace logistics::messaging
