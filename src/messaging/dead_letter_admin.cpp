#include "logistics/messaging/dead_letter_admin.hpp"

#include "logistics/logging/log.hpp"
#include "logistics/messaging/dead_letter_error.hpp"
#include "logistics/messaging/dead_letter_replies.hpp"
#include "logistics/sqlite/storage_health.hpp"

namespace logistics::messaging {
namespace {

using common::Unexpected;

ErrorReply StorageFailure(std::string_view context, const sqlite::SqliteError& error) {
  return PortFailureReply(context, sqlite::ToPortError(context, error));
}

// Answers a body that could not be decoded; true when there was one.
template <typename T>
bool RejectBadBody(const DeadLetterAdmin::RequestPtr& request,
                   const common::Result<T, json::BodyError>& decoded) {
  if (decoded) return false;
  request->Respond(BadRequest(decoded.error()));
  return true;
}

}  // namespace

DeadLetterAdmin::DeadLetterAdmin(std::string service, sqlite::ReadPool& reads, Writer& writer,
                                 const common::Clock& clock,
                                 std::vector<EventConsumer*> consumers,
                                 std::size_t max_body_bytes)
    : service_(std::move(service)),
      reads_(reads),
      writer_(writer),
      clock_(clock),
      consumers_(std::move(consumers)),
      max_body_bytes_(max_body_bytes) {}

EventConsumer* DeadLetterAdmin::ConsumerNamed(std::string_view name) const {
  for (EventConsumer* consumer : consumers_) {
    if (consumer->spec().durable == name) return consumer;
  }
  return nullptr;
}

void DeadLetterAdmin::List(const RequestPtr& request) {
  const auto decoded = DecodeDeadLetterList(request->data(), max_body_bytes_);
  if (RejectBadBody(request, decoded)) return;
  if (!decoded->consumer.empty() && ConsumerNamed(decoded->consumer) == nullptr) {
    std::string names;
    for (const EventConsumer* consumer : consumers_) {
      names += (names.empty() ? "" : ", ") + consumer->spec().durable;
    }
    request->Respond(DeadLetterErrorReply(ConsumerNotFound(service_, decoded->consumer, names)));
    return;
  }
  auto db = reads_.Acquire();
  // One more than asked: whether another page follows.
  auto page = SqliteDeadLetters(*db).Page(decoded->consumer, decoded->after_id, decoded->limit + 1);
  if (!page) {
    request->Respond(StorageFailure("listing dead letters", page.error()));
    return;
  }
  request->Respond(DeadLetterPageReply(*page, static_cast<std::size_t>(decoded->limit)));
}

void DeadLetterAdmin::Show(const RequestPtr& request) {
  const auto decoded = DecodeDeadLetterShow(request->data(), max_body_bytes_);
  if (RejectBadBody(request, decoded)) return;
  auto letter = Locate(*decoded);
  if (!letter) {
    request->Respond(letter.error());
    return;
  }
  request->Respond(DeadLetterShowReply(*letter));
}

void DeadLetterAdmin::Requeue(const RequestPtr& request) {
  const auto decoded = DecodeDeadLetterRequeue(request->data(), max_body_bytes_);
  if (RejectBadBody(request, decoded)) return;
  auto letter = Locate(decoded->ref);
  if (!letter) {
    request->Respond(letter.error());
    return;
  }
  EventConsumer* consumer = ConsumerNamed(letter->consumer);
  if (consumer == nullptr) {  // a dead letter of a consumer this service no longer has
    request->Respond(DeadLetterErrorReply(ConsumerNotFound(service_, letter->consumer, "")));
    return;
  }
  const DeadLetterActor actor = decoded->actor;
  consumer->Requeue(*letter, actor, [request, letter = *letter, actor](RequeueOutcome outcome) {
    using Kind = RequeueOutcome::Kind;
    auto resolved = [&](DeadLetterOutcome how) {
      logging::Info("dead letter requeued",
                    {{"consumer", letter.consumer},
                     {"event_id", letter.event_id},
                     {"subject", letter.subject},
                     {"outcome", DeadLetterOutcomeName(how)},
                     {"by", actor.by},
                     {"reason", actor.reason}});
      request->Respond(DeadLetterResolvedReply(letter, how, actor, outcome.at));
    };
    switch (outcome.kind) {
      case Kind::kApplied:
        resolved(DeadLetterOutcome::kApplied);
        return;
      case Kind::kIgnored:
        resolved(DeadLetterOutcome::kIgnored);
        return;
      case Kind::kAlreadyProcessed:
        resolved(DeadLetterOutcome::kAlreadyProcessed);
        return;
      case Kind::kFailedAgain:
        logging::Warn("dead letter requeued and failed again; it stays a dead letter",
                      {{"consumer", letter.consumer},
                       {"event_id", letter.event_id},
                       {"subject", letter.subject},
                       {"error", outcome.error},
                       {"by", actor.by},
                       {"reason", actor.reason}});
        request->Respond(DeadLetterErrorReply(DeadLetterError{
            DeadLetterErrorCode::kRequeueFailed,
            "event " + letter.event_id + " failed again in " + letter.consumer +
                " and stays a dead letter: " + outcome.error}));
        return;
      case Kind::kNotADeadLetter:  // requeued or discarded since it was read
        request->Respond(DeadLetterErrorReply(
            DeadLetterNotFound("", letter.consumer, letter.event_id, std::nullopt)));
        return;
      case Kind::kStorageFull:
        request->Respond(StorageFull());
        return;
      case Kind::kUnavailable:
        request->Respond(Unavailable("the service is stopping; retry the requeue"));
        return;
      case Kind::kFailed:
        logging::Error("requeue of a dead letter failed",
                       {{"consumer", letter.consumer},
                        {"event_id", letter.event_id},
                        {"error", outcome.error}});
        request->Respond(InternalError());
        return;
    }
  });
}

void DeadLetterAdmin::Discard(const RequestPtr& request) {
  const auto decoded = DecodeDeadLetterDiscard(request->data(), max_body_bytes_);
  if (RejectBadBody(request, decoded)) return;
  auto letter = Locate(decoded->ref);
  if (!letter) {
    request->Respond(letter.error());
    return;
  }
  DiscardInWriter(request, *letter, decoded->actor);
}

void DeadLetterAdmin::DiscardInWriter(const RequestPtr& request, const StoredDeadLetter& letter,
                                      const DeadLetterActor& actor) {
  struct Discarding {
    bool found = false;
    std::string error;
    common::Timestamp at{};
  };
  auto state = std::make_shared<Discarding>();
  WriteJob job;
  job.execute = [this, letter, actor, state](sqlite::Database& db) {
    state->at = clock_.Now();
    SqliteDeadLetters letters(db);
    // Another discard or a requeue may have come first.
    auto current = letters.Find(letter.consumer, letter.event_id);
    if (!current) {
      state->error = current.error().message;
      return SavepointOutcome::kRollBack;
    }
    if (!*current) return SavepointOutcome::kRollBack;
    state->found = true;
    if (auto resolved = letters.Resolve(**current, DeadLetterOutcome::kDiscarded, actor, state->at);
        !resolved) {
      state->found = false;
      state->error = resolved.error().message;
      return SavepointOutcome::kRollBack;
    }
    return SavepointOutcome::kKeep;
  };
  job.completed = [request, letter, actor, state](WriteStatus status) {
    switch (status) {
      case WriteStatus::kCommitted:
        logging::Warn("dead letter discarded",
                      {{"consumer", letter.consumer},
                       {"event_id", letter.event_id},
                       {"subject", letter.subject},
                       {"error", letter.error},
                       {"by", actor.by},
                       {"reason", actor.reason}});
        request->Respond(
            DeadLetterResolvedReply(letter, DeadLetterOutcome::kDiscarded, actor, state->at));
        return;
      case WriteStatus::kRolledBack:
        if (state->error.empty()) {
          request->Respond(DeadLetterErrorReply(
              DeadLetterNotFound("", letter.consumer, letter.event_id, std::nullopt)));
          return;
        }
        break;
      case WriteStatus::kStorageFull:
        request->Respond(StorageFull());
        return;
      case WriteStatus::kFailed:
        break;
    }
    logging::Error("discarding a dead letter failed",
                   {{"consumer", letter.consumer},
                    {"event_id", letter.event_id},
                    {"error", state->error.empty() ? std::string("the transaction failed")
                                                   : state->error}});
    request->Respond(InternalError());
  };
  if (!writer_.Submit(std::move(job))) {
    request->Respond(Unavailable("the service is stopping; retry the discard"));
  }
}

common::Result<StoredDeadLetter, ErrorReply> DeadLetterAdmin::Locate(const DeadLetterRef& ref) {
  auto db = reads_.Acquire();
  SqliteDeadLetters letters(*db);
  std::string consumer = ref.consumer;
  if (!consumer.empty() && ConsumerNamed(consumer) == nullptr) {
    std::string names;
    for (const EventConsumer* known : consumers_) {
      names += (names.empty() ? "" : ", ") + known->spec().durable;
    }
    return Unexpected{DeadLetterErrorReply(ConsumerNotFound(service_, consumer, names))};
  }
  if (consumer.empty()) {
    auto holding = letters.ConsumersHolding(ref.event_id, 2);
    if (!holding) return Unexpected{StorageFailure("finding a dead letter", holding.error())};
    if (holding->size() > 1) {
      return Unexpected{DeadLetterErrorReply(DeadLetterError{
          DeadLetterErrorCode::kConsumerRequired,
          "event " + ref.event_id + " is a dead letter of " + (*holding)[0] + " and of " +
              (*holding)[1] + ": name the consumer"})};
    }
    if (holding->size() == 1) consumer = holding->front();
  }
  if (!consumer.empty()) {
    auto found = letters.Find(consumer, ref.event_id);
    if (!found) return Unexpected{StorageFailure("reading a dead letter", found.error())};
    if (*found) return std::move(**found);
  }
  auto resolution = letters.LastResolution(ref.consumer, ref.event_id);
  if (!resolution) return Unexpected{StorageFailure("reading a dead letter", resolution.error())};
  return Unexpected{
      DeadLetterErrorReply(DeadLetterNotFound(service_, ref.consumer, ref.event_id, *resolution))};
}

}  // namespace logistics::messaging
