#include "logistics/json/json_text.hpp"
#include "logistics/messaging/error_reply.hpp"

#include <nlohmann/json.hpp>

#include "logistics/logging/log.hpp"

namespace logistics::messaging {

std::string ErrorReply::Body() const {
  nlohmann::ordered_json problems = nlohmann::ordered_json::array();
  for (const auto& problem : details) {
    problems.push_back({{"field", problem.field}, {"reason", problem.reason}});
  }
  nlohmann::ordered_json body;
  body["error"] = {{"code", code}, {"message", message}, {"details", problems}};
  return json::Serialize(body);
}

ErrorReply RejectionReply(int status, std::string_view code, std::string message,
                          std::string_view field) {
  ErrorReply reply{status, std::string(code), std::move(message), {}};
  if (!field.empty()) reply.details.push_back(json::FieldProblem{std::string(field), reply.message});
  return reply;
}

ErrorReply PortFailureReply(std::string_view context, const common::PortError& failure) {
  switch (failure.kind) {
    case common::PortErrorKind::kStorageFull:
      return StorageFull();
    case common::PortErrorKind::kStorageCorrupt:
      return ErrorReply{500, "STORAGE_CORRUPT",
                        "the service's database is damaged; an operator must restore it "
                        "(see the service's log)",
                        {}};
    case common::PortErrorKind::kEventTooLarge:
      // A client's doing, not a fault: said once, for whoever wonders why.
      logging::Info(std::string(context) + " refused: an event would be too large",
                    {{"error", failure.message}});
      return EventTooLarge();
    case common::PortErrorKind::kFailure:
      break;
  }
  logging::Error(std::string(context) + " failed", {{"error", failure.message}});
  return InternalError();
}

ErrorReply StorageFull() {
  return ErrorReply{503, "STORAGE_FULL",
                    "the service's disk is full; nothing was changed. Retry once an operator "
                    "has freed space",
                    {}};
}

ErrorReply EventTooLarge() {
  return ErrorReply{400, "EVENT_TOO_LARGE",
                    "the command would emit an event larger than the message server accepts; "
                    "nothing was changed. Send shorter fields or headers",
                    {}};
}

ErrorReply BadRequest(const json::BodyError& error) {
  return ErrorReply{400, error.code, error.message, error.details};
}

ErrorReply InvalidHeader(std::vector<json::FieldProblem> problems) {
  std::string message;
  for (const auto& problem : problems) {
    message += (message.empty() ? "header " : "; header ") + problem.field + " " + problem.reason;
  }
  return ErrorReply{400, "INVALID_HEADER", std::move(message), std::move(problems)};
}

ErrorReply InternalError() {
  return ErrorReply{500, "INTERNAL", "internal error; the request may be retried", {}};
}

ErrorReply Unavailable(std::string message) {
  return ErrorReply{503, "UNAVAILABLE", std::move(message), {}};
}

}  // namespace logistics::messaging
