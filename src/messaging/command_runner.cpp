#include "logistics/messaging/command_runner.hpp"

#include <optional>

#include "logistics/logging/log.hpp"
#include "logistics/messaging/sqlite_idempotency.hpp"

namespace logistics::messaging {
namespace {

// What the job decided, read by its completion (both on the writer thread).
struct Answer {
  std::optional<StoredReply> replay;      // a repeat: send the stored reply
  std::optional<CommandOutcome> outcome;  // a command that ran (or was refused)
};

ErrorReply KeyReused(const std::string& key) {
  return ErrorReply{409, "IDEMPOTENCY_KEY_REUSED",
                    "the Nats-Msg-Id '" + key +
                        "' was already used for a different command; use a new key",
                    {}};
}

}  // namespace

void CommandRunner::Submit(const std::shared_ptr<IncomingRequest>& request, Command command) {
  auto answer = std::make_shared<Answer>();
  WriteJob job;
  job.execute = [this, request, answer, command = std::move(command)](sqlite::Database& db) {
    const RequestMetadata& metadata = request->metadata();
    if (!metadata.request_id_from_client) {
      // No idempotency record: the job's own savepoint undoes a rejection.
      answer->outcome = command(db);
      return answer->outcome->has_value() ? SavepointOutcome::kKeep : SavepointOutcome::kRollBack;
    }
    const auto now = clock_.Now();
    const std::string hash = RequestHash(request->subject(), request->data());
    SqliteIdempotency records(db);
    auto found = records.Find(metadata.request_id, now - retention_);
    if (!found) throw std::runtime_error(found.error().message);
    if (*found) {
      if ((*found)->request_hash == hash) {
        answer->replay = std::move(**found);
        return SavepointOutcome::kKeep;  // nothing written
      }
      answer->outcome = common::Unexpected{KeyReused(metadata.request_id)};
      return SavepointOutcome::kRollBack;
    }
    // A keyed command's effects get a savepoint of their own, so a rejection
    // can be rolled back while its idempotency record is kept.
    if (auto opened = db.Savepoint("command"); !opened) {
      throw std::runtime_error(opened.error().message);
    }
    answer->outcome = command(db);
    const bool succeeded = answer->outcome->has_value();
    if (auto ended = succeeded ? db.Release("command") : db.RollbackTo("command"); !ended) {
      throw std::runtime_error(ended.error().message);
    }
    const int status = succeeded ? 200 : answer->outcome->error().status;
    // 5xx answers are not remembered: the client should retry them.
    if (status < 500) {
      StoredReply reply{hash, status,
                        succeeded ? **answer->outcome : answer->outcome->error().Body(),
                        succeeded ? std::string() : answer->outcome->error().message};
      if (auto stored = records.Store(metadata.request_id, request->subject(), reply, now); !stored) {
        throw std::runtime_error(stored.error().message);
      }
      return SavepointOutcome::kKeep;
    }
    return succeeded ? SavepointOutcome::kKeep : SavepointOutcome::kRollBack;
  };
  job.completed = [request, answer](WriteStatus status) {
    if (status == WriteStatus::kStorageFull) {
      request->Respond(StorageFull());
      return;
    }
    if (status == WriteStatus::kFailed) {
      request->Respond(InternalError());
      return;
    }
    if (answer->replay) {
      logging::Debug("repeated command answered from its idempotency record",
                     {{"subject", request->subject()},
                      {"key", request->metadata().request_id}});
      request->RespondStored(answer->replay->status, answer->replay->body,
                             answer->replay->error_message);
      return;
    }
    if (!answer->outcome) {
      request->Respond(InternalError());
      return;
    }
    if (*answer->outcome) {
      request->Respond(**answer->outcome);
      return;
    }
    logging::Debug("command rejected", {{"subject", request->subject()},
                                        {"code", answer->outcome->error().code},
                                        {"correlation_id", request->metadata().correlation_id}});
    request->Respond(answer->outcome->error());
  };
  if (!writer_.Submit(std::move(job))) {
    request->Respond(Unavailable("the service is stopping or overloaded; retry"));
  }
}

}  // namespace logistics::messaging
