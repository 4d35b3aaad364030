#include "logistics/messaging/error_reply.hpp"

#include <nlohmann/json.hpp>

namespace logistics::messaging {

std::string ErrorReply::Body() const {
  nlohmann::ordered_json problems = nlohmann::ordered_json::array();
  for (const auto& problem : details) {
    problems.push_back({{"field", problem.field}, {"reason", problem.reason}});
  }
  nlohmann::ordered_json body;
  body["error"] = {{"code", code}, {"message", message}, {"details", problems}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

ErrorReply BadRequest(const json::BodyError& error) {
  return ErrorReply{400, error.code, error.message, error.details};
}

ErrorReply InternalError() {
  return ErrorReply{500, "INTERNAL", "internal error; the request may be retried", {}};
}

ErrorReply Unavailable(std::string message) {
  return ErrorReply{503, "UNAVAILABLE", std::move(message), {}};
}

}  // namespace logistics::messaging
