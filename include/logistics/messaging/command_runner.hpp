// CommandRunner: how every service runs a command, idempotently, and answers it.
//
// The command runs on the writer thread inside a savepoint of the batch
// transaction and returns either the success reply body (its writes are kept)
// or an ErrorReply (its writes are rolled back). The request is answered only
// after the batch commit, so a success reply always describes a durable change.
// If the batch cannot commit, or the command throws, the answer is 500; if
// space ran out (disk full, size limit), 503 STORAGE_FULL; if the writer
// refuses the job (stopping, queue full), 503.
//
// Idempotency: a command that carries a `Nats-Msg-Id` key has its key, a hash
// of its subject and body, and its reply (success or 4xx) stored in the same
// transaction as its effects. A repeat within the retention is answered with
// the first reply byte for byte and changes nothing; the same key with another
// subject or body is answered 409 IDEMPOTENCY_KEY_REUSED. Two identical
// requests in flight at once have one effect: the single writer runs them one
// after the other and the second finds the first's record.
//
// Ownership: borrows the writer and the clock. Thread-safety: Submit from any
// thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "logistics/common/clock.hpp"
#include "logistics/common/result.hpp"
#include "logistics/messaging/error_reply.hpp"
#include "logistics/messaging/incoming_request.hpp"
#include "logistics/messaging/writer.hpp"

namespace logistics::messaging {

using CommandOutcome = common::Result<std::string, ErrorReply>;
using Command = std::function<CommandOutcome(sqlite::Database&)>;

class CommandRunner {
 public:
  CommandRunner(Writer& writer, const common::Clock& clock,
                std::chrono::seconds idempotency_retention)
      : writer_(writer), clock_(clock), retention_(idempotency_retention) {}

  void Submit(const std::shared_ptr<IncomingRequest>& request, Command command);

 private:
  Writer& writer_;
  const common::Clock& clock_;
  const std::chrono::seconds retention_;
};

}  // namespace logistics::messaging
