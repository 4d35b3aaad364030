#include "logistics/messaging/command_submission.hpp"

#include <optional>

#include "logistics/logging/log.hpp"

namespace logistics::messaging {

void SubmitCommand(Writer& writer, std::shared_ptr<IncomingRequest> request, Command command) {
  // Written by the job and read by its completion, both on the writer thread.
  auto outcome = std::make_shared<std::optional<CommandOutcome>>();
  WriteJob job{
      [request, outcome, command = std::move(command)](sqlite::Database& db) {
        outcome->emplace(command(db));
        return (*outcome)->has_value() ? SavepointOutcome::kKeep : SavepointOutcome::kRollBack;
      },
      [request, outcome](WriteStatus status) {
        if (status == WriteStatus::kFailed || !outcome->has_value()) {
          request->Respond(InternalError());
          return;
        }
        const CommandOutcome& result = **outcome;
        if (result) {
          request->Respond(*result);
        } else {
          logging::Debug("command rejected",
                         {{"subject", std::string(request->subject())},
                          {"code", result.error().code},
                          {"correlation_id", request->metadata().correlation_id}});
          request->Respond(result.error());
        }
      }};
  if (!writer.Submit(std::move(job))) {
    request->Respond(Unavailable("the service is stopping or overloaded; retry"));
  }
}

}  // namespace logistics::messaging
