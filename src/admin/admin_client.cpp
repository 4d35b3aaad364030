#include "logistics/admin/admin_client.hpp"

#include <charconv>

namespace logistics::admin {

AdminReply ReadAdminReply(std::string_view data, const std::string& status_header,
                          const std::string& message_header) {
  AdminReply reply;
  reply.text = std::string(data);
  reply.body = nlohmann::ordered_json::parse(data, nullptr, false);
  if (reply.body.is_discarded()) reply.body = nullptr;
  if (status_header.empty()) return reply;
  int status = 500;
  const auto [end, error] =
      std::from_chars(status_header.data(), status_header.data() + status_header.size(), status);
  reply.status = error == std::errc() && end == status_header.data() + status_header.size() ? status
                                                                                            : 500;
  reply.message = message_header;
  if (reply.body.is_object() && reply.body.contains("error") && reply.body["error"].is_object()) {
    const auto& problem = reply.body["error"];
    if (problem.contains("code") && problem["code"].is_string()) reply.code = problem["code"];
    if (problem.contains("message") && problem["message"].is_string()) {
      reply.message = problem["message"];
    }
  }
  return reply;
}

int ExitCodeFor(int status) {
  if (status == 200) return 0;
  return status == 400 ? 2 : 1;
}

common::Result<AdminReply, std::string> AdminClient::Call(const std::string& service,
                                                          const AdminResource& resource,
                                                          AdminVerb verb,
                                                          const nlohmann::ordered_json& body) {
  const std::string subject =
      service + ".admin." + resource.name + "." + std::string(AdminVerbName(verb));
  auto answer = connection_.Request(subject, body.dump(), timeout_);
  if (!answer && answer.error().kind == nats::NatsErrorKind::kNoResponders) {
    return common::Unexpected{"no service answers on " + subject + ": is " + service +
                              " running, and is that its name (orders, payments, "
                              "notifications)?"};
  }
  if (!answer && answer.error().kind == nats::NatsErrorKind::kTimeout) {
    return common::Unexpected{
        "no answer on " + subject + " within " +
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout_).count()) +
        " s (may this NATS user send there? only admin may)"};
  }
  if (!answer) {
    return common::Unexpected{"the request on " + subject + " failed: " + answer.error().message};
  }
  return ReadAdminReply(answer->data(), answer->Header("Nats-Service-Error-Code").value_or(""),
                        answer->Header("Nats-Service-Error").value_or(""));
}

}  // namespace logistics::admin
