// SubmitCommand: how every service runs a command and answers it.
//
// The command runs on the writer thread inside its own savepoint of the batch
// transaction and returns either the success reply body (its writes are kept)
// or an ErrorReply (its writes are rolled back). The request is answered only
// after the batch commit: a success reply always describes a durable change.
// If the batch cannot commit, or the command throws, the answer is 500; if the
// writer refuses the job (stopping, queue full), 503.
//
// Thread-safety: call from any thread; the command runs on the writer thread.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "logistics/common/result.hpp"
#include "logistics/messaging/error_reply.hpp"
#include "logistics/messaging/incoming_request.hpp"
#include "logistics/messaging/writer.hpp"

namespace logistics::messaging {

using CommandOutcome = common::Result<std::string, ErrorReply>;
using Command = std::function<CommandOutcome(sqlite::Database&)>;

void SubmitCommand(Writer& writer, std::shared_ptr<IncomingRequest> request, Command command);

}  // namespace logistics::messaging
