// AdminClient: logistics-admin's side of <service>.admin.<resource>.<verb>:
// one request, its reply read as the services write replies (error_reply.hpp:
// the headers Nats-Service-Error-Code and Nats-Service-Error, the body
// {"error":{"code","message","details"}}).
//
// A transport failure is a message for the operator, not a reply: nobody
// answers on the subject (the service is not running, or has another name),
// no answer in time, or the connection failed. A permissions violation shows
// as a timeout: the server drops a publish the user may not make.
//
// Ownership: borrows the connection. Thread-safety: that of the connection.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "logistics/admin/admin_resource.hpp"
#include "logistics/common/result.hpp"
#include "logistics/nats/connection.hpp"

namespace logistics::admin {

// (clang-tidy 14 cannot see that nlohmann::json's move is noexcept, hence the NOLINT.)
struct AdminReply {  // NOLINT(bugprone-exception-escape)
  int status = 200;
  std::string code;     // the error's stable code ("" on success)
  std::string message;  // the error's message ("" on success)
  nlohmann::ordered_json body;  // the reply parsed (null when it is not JSON)
  std::string text;     // the reply as sent
};

// The reply of a raw NATS answer: its status from Nats-Service-Error-Code
// (200 when absent), and the error's code and message from the body.
AdminReply ReadAdminReply(std::string_view data, const std::string& status_header,
                          const std::string& message_header);

// The command line's exit code for a reply's status: 0 for 200, 2 for 400
// (the request built from the flags was refused: a usage error), 1 otherwise.
int ExitCodeFor(int status);

class AdminClient {
 public:
  AdminClient(nats::Connection& connection, std::chrono::milliseconds timeout)
      : connection_(connection), timeout_(timeout) {}

  common::Result<AdminReply, std::string> Call(const std::string& service,
                                               const AdminResource& resource, AdminVerb verb,
                                               const nlohmann::ordered_json& body);

 private:
  nats::Connection& connection_;
  std::chrono::milliseconds timeout_;
};

}  // namespace logistics::admin
