#include "logistics/messaging/parked_admin.hpp"

#include <nlohmann/json.hpp>

#include "logistics/common/utf8.hpp"
#include "logistics/json/json_text.hpp"
#include "logistics/logging/log.hpp"
#include "logistics/messaging/error_reply.hpp"
#include "logistics/messaging/list_cursor.hpp"
#include "logistics/messaging/sqlite_parked_events.hpp"
#include "logistics/sqlite/storage_health.hpp"

namespace logistics::messaging {
namespace {

using common::Unexpected;

constexpr std::size_t kMaxEventId = 512;
constexpr std::size_t kMaxAggregate = 512;
constexpr std::size_t kMaxBy = 100;
constexpr std::size_t kMaxReason = 500;

common::Result<json::BodyReader, json::BodyError> Open(std::string_view body,
                                                       std::size_t max_bytes) {
  return json::BodyReader::Parse(body.empty() ? std::string_view("{}") : body, max_bytes);
}

std::string NotBlank(json::BodyReader& reader, std::string_view field,
                     const std::optional<std::string>& value) {
  if (value && common::IsBlank(*value)) reader.AddProblem(std::string(field), "must not be blank");
  return value.value_or("");
}

template <typename T>
common::Result<T, json::BodyError> Finish(json::BodyReader& reader, T decoded) {
  if (auto problems = reader.Finish(); !problems.empty()) {
    return Unexpected{json::BodyReader::ValidationFailed(std::move(problems))};
  }
  return decoded;
}

template <typename T>
bool RejectBadBody(const ParkedAdmin::RequestPtr& request,
                   const common::Result<T, json::BodyError>& decoded) {
  if (decoded) return false;
  request->Respond(BadRequest(decoded.error()));
  return true;
}

nlohmann::ordered_json EventJson(const ParkedEvent& event) {
  return {{"outbox_id", event.outbox_id},
          {"event_id", event.event_id},
          {"subject", event.subject},
          {"aggregate", AggregateOf(event.subject)},
          {"created_at", common::FormatRfc3339(event.created_at)},
          {"parked_at", common::FormatRfc3339(event.parked_at)},
          {"attempts", event.attempts},
          {"error", event.error}};
}

ErrorReply NotParked(const std::string& what) {
  return RejectionReply(404, "PARKED_EVENT_NOT_FOUND", "no parked event " + what, "");
}

ErrorReply StorageFailure(const sqlite::SqliteError& error) {
  return PortFailureReply("parked events", sqlite::ToPortError("parked events", error));
}

}  // namespace

common::Result<ParkedListRequest, json::BodyError> DecodeParkedList(std::string_view body,
                                                                    std::size_t max_bytes) {
  auto reader = Open(body, max_bytes);
  if (!reader) return Unexpected{reader.error()};
  ParkedListRequest request;
  request.limit = reader->OptionalInteger("limit", 1, 500).value_or(50);
  if (auto cursor = reader->OptionalString("cursor")) {
    if (auto after = DecodeRowCursor(*cursor)) {
      request.after_id = *after;
    } else {
      reader->AddProblem("cursor", "is not a cursor of this list");
    }
  }
  return Finish(*reader, request);
}

common::Result<std::string, json::BodyError> DecodeParkedShow(std::string_view body,
                                                              std::size_t max_bytes) {
  auto reader = Open(body, max_bytes);
  if (!reader) return Unexpected{reader.error()};
  auto event_id = reader->RequiredString("event_id", kMaxEventId);
  return Finish(*reader, NotBlank(*reader, "event_id", event_id));
}

common::Result<ParkedRequeueRequest, json::BodyError> DecodeParkedRequeue(std::string_view body,
                                                                          std::size_t max_bytes) {
  auto reader = Open(body, max_bytes);
  if (!reader) return Unexpected{reader.error()};
  ParkedRequeueRequest request;
  request.aggregate = NotBlank(*reader, "aggregate", reader->OptionalString("aggregate", kMaxAggregate));
  request.event_id = NotBlank(*reader, "event_id", reader->OptionalString("event_id", kMaxEventId));
  request.by = NotBlank(*reader, "by", reader->OptionalString("by", kMaxBy));
  request.reason = NotBlank(*reader, "reason", reader->OptionalString("reason", kMaxReason));
  if (!request.aggregate.empty() && !request.event_id.empty()) {
    reader->AddProblem("aggregate", "give either aggregate or event_id, not both");
  }
  if (!request.aggregate.empty() && request.aggregate.back() != '.') {
    reader->AddProblem("aggregate", "must end with '.' (\"orders.events.<order_id>.\")");
  }
  return Finish(*reader, std::move(request));
}

common::Result<ParkedDiscardRequest, json::BodyError> DecodeParkedDiscard(std::string_view body,
                                                                          std::size_t max_bytes) {
  auto reader = Open(body, max_bytes);
  if (!reader) return Unexpected{reader.error()};
  ParkedDiscardRequest request;
  request.event_id = NotBlank(*reader, "event_id", reader->RequiredString("event_id", kMaxEventId));
  request.by = NotBlank(*reader, "by", reader->RequiredString("by", kMaxBy));
  request.reason = NotBlank(*reader, "reason", reader->RequiredString("reason", kMaxReason));
  return Finish(*reader, std::move(request));
}

ParkedAdmin::ParkedAdmin(sqlite::ReadPool& reads, Writer& writer, Relay& relay,
                         const common::Clock& clock, std::size_t max_body_bytes)
    : reads_(reads), writer_(writer), relay_(relay), clock_(clock), max_body_bytes_(max_body_bytes) {}

void ParkedAdmin::List(const RequestPtr& request) {
  const auto decoded = DecodeParkedList(request->data(), max_body_bytes_);
  if (RejectBadBody(request, decoded)) return;
  auto db = reads_.Acquire();
  // One more than asked: whether another page follows.
  auto page = SqliteParkedEvents(*db).List(decoded->after_id,
                                           static_cast<std::size_t>(decoded->limit) + 1);
  if (!page) {
    request->Respond(StorageFailure(page.error()));
    return;
  }
  nlohmann::ordered_json reply;
  reply["parked"] = nlohmann::ordered_json::array();
  const bool more = page->size() > static_cast<std::size_t>(decoded->limit);
  if (more) page->pop_back();
  for (const ParkedEvent& event : *page) reply["parked"].push_back(EventJson(event));
  if (more) reply["next_cursor"] = EncodeRowCursor(page->back().outbox_id);
  request->Respond(json::Serialize(reply));
}

void ParkedAdmin::Show(const RequestPtr& request) {
  const auto decoded = DecodeParkedShow(request->data(), max_body_bytes_);
  if (RejectBadBody(request, decoded)) return;
  auto db = reads_.Acquire();
  auto found = SqliteParkedEvents(*db).Find(*decoded);
  if (!found) {
    request->Respond(StorageFailure(found.error()));
    return;
  }
  if (!*found) {
    request->Respond(NotParked(*decoded));
    return;
  }
  request->Respond(json::Serialize(EventJson(**found)));
}

void ParkedAdmin::Requeue(const RequestPtr& request) {
  auto decoded = DecodeParkedRequeue(request->data(), max_body_bytes_);
  if (RejectBadBody(request, decoded)) return;
  std::string aggregate = decoded->aggregate;
  if (!decoded->event_id.empty()) {
    auto db = reads_.Acquire();
    auto found = SqliteParkedEvents(*db).Find(decoded->event_id);
    if (!found) {
      request->Respond(StorageFailure(found.error()));
      return;
    }
    if (!*found) {
      request->Respond(NotParked(decoded->event_id));
      return;
    }
    aggregate = AggregateOf((*found)->subject);
  }
  struct State {
    std::optional<std::int64_t> first;
    std::string error;
  };
  auto state = std::make_shared<State>();
  WriteJob job;
  job.execute = [aggregate, state](sqlite::Database& db) {
    auto requeued = SqliteParkedEvents(db).Requeue(aggregate);
    if (!requeued) {
      state->error = requeued.error().message;
      return SavepointOutcome::kRollBack;
    }
    state->first = *requeued;
    return SavepointOutcome::kKeep;
  };
  job.completed = [this, request, aggregate, state, by = decoded->by, reason = decoded->reason,
                   event_id = decoded->event_id](WriteStatus status) {
    if (status == WriteStatus::kStorageFull) {
      request->Respond(StorageFull());
      return;
    }
    if (status != WriteStatus::kCommitted || !state->error.empty()) {
      logging::Error("requeueing parked events failed",
                     {{"aggregate", aggregate}, {"error", state->error}});
      request->Respond(InternalError());
      return;
    }
    if (!state->first) {
      request->Respond(NotParked(aggregate.empty() ? std::string("at all")
                                                   : "of aggregate " + aggregate));
      return;
    }
    // Committed: now the relay may read them.
    relay_.NotifyRequeued(aggregate, *state->first);
    logging::Warn("parked events requeued",
                  {{"aggregate", aggregate.empty() ? std::string("(all)") : aggregate},
                   {"from_outbox_id", *state->first},
                   {"by", by},
                   {"reason", reason}});
    nlohmann::ordered_json reply{
        {"event_id", event_id.empty() ? nlohmann::ordered_json(nullptr)
                                      : nlohmann::ordered_json(event_id)},
        {"aggregate", aggregate.empty() ? nlohmann::ordered_json("(all)")
                                        : nlohmann::ordered_json(aggregate)},
        {"outcome", "requeued"},
        {"requeued_at", common::FormatRfc3339(clock_.Now())},
        {"requeued_from_outbox_id", *state->first},
        {"by", by.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(by)},
        {"reason", reason.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(reason)}};
    request->Respond(json::Serialize(reply));
  };
  job.kind = JobKind::kChange;
  if (!writer_.Submit(std::move(job))) {
    request->Respond(Unavailable("the service is stopping; retry the requeue"));
  }
}

void ParkedAdmin::Discard(const RequestPtr& request) {
  auto decoded = DecodeParkedDiscard(request->data(), max_body_bytes_);
  if (RejectBadBody(request, decoded)) return;
  std::optional<ParkedEvent> event;
  {
    auto db = reads_.Acquire();
    auto found = SqliteParkedEvents(*db).Find(decoded->event_id);
    if (!found) {
      request->Respond(StorageFailure(found.error()));
      return;
    }
    if (!*found) {
      request->Respond(NotParked(decoded->event_id));
      return;
    }
    event = std::move(*found);
  }
  struct State {
    bool discarded = false;
    std::string error;
  };
  auto state = std::make_shared<State>();
  WriteJob job;
  job.execute = [event_id = decoded->event_id, state](sqlite::Database& db) {
    auto discarded = SqliteParkedEvents(db).Discard(event_id);
    if (!discarded) {
      state->error = discarded.error().message;
      return SavepointOutcome::kRollBack;
    }
    state->discarded = *discarded;
    return SavepointOutcome::kKeep;
  };
  job.completed = [this, request, event = *event, state, request_fields = *decoded](
                      WriteStatus status) {
    if (status == WriteStatus::kStorageFull) {
      request->Respond(StorageFull());
      return;
    }
    if (status != WriteStatus::kCommitted || !state->error.empty()) {
      logging::Error("discarding a parked event failed",
                     {{"event_id", event.event_id}, {"error", state->error}});
      request->Respond(InternalError());
      return;
    }
    if (!state->discarded) {  // requeued or discarded meanwhile
      request->Respond(NotParked(event.event_id));
      return;
    }
    logging::Warn("parked event discarded",
                  {{"event_id", event.event_id},
                   {"subject", event.subject},
                   {"error", event.error},
                   {"at", common::FormatRfc3339(clock_.Now())},
                   {"by", request_fields.by},
                   {"reason", request_fields.reason}});
    nlohmann::ordered_json reply = EventJson(event);
    reply["discarded_at"] = common::FormatRfc3339(clock_.Now());
    reply["by"] = request_fields.by;
    reply["reason"] = request_fields.reason;
    request->Respond(json::Serialize(reply));
  };
  job.kind = JobKind::kChange;
  if (!writer_.Submit(std::move(job))) {
    request->Respond(Unavailable("the service is stopping; retry the discard"));
  }
}

}  // namespace logistics::messaging
