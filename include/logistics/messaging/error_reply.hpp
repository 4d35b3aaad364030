// ErrorReply: how every service says "no" on the wire.
//
// SPEC §2 "Replies": headers `Nats-Service-Error` (a readable message) and
// `Nats-Service-Error-Code` (400, 404, 409, 500, 503), and the body
//   {"error":{"code":"ORDER_NOT_FOUND","message":"...","details":[...]}}
// where `code` is stable and upper-case and each detail names a field:
//   {"field":"tracking_number","reason":"is required"}.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "logistics/common/port_error.hpp"
#include "logistics/json/body_reader.hpp"

namespace logistics::messaging {

struct ErrorReply {
  int status = 500;  // 400, 404, 409, 500, 503
  std::string code;
  std::string message;
  std::vector<json::FieldProblem> details;

  // The JSON body, {"error":{...}}.
  std::string Body() const;
};

// A domain rejection: its status, stable code and message, and a detail naming
// the field when the rejection concerns one.
ErrorReply RejectionReply(int status, std::string_view code, std::string message,
                          std::string_view field);
// The answer to a failed port, by its kind: 503 STORAGE_FULL (space ran
// out: retry later), 500 STORAGE_CORRUPT (the database is damaged; logged
// once where it was found), 400 EVENT_TOO_LARGE (an event would not fit in
// what the message server takes), else 500 INTERNAL with the cause logged
// with `context`. The cause is never sent.
ErrorReply PortFailureReply(std::string_view context, const common::PortError& failure);
// 503 STORAGE_FULL: a write was refused for lack of space.
ErrorReply StorageFull();
// 400 EVENT_TOO_LARGE: the command's event would exceed the NATS server's
// max_payload (SqliteOutbox::Append refused it), so nothing was changed.
ErrorReply EventTooLarge();

// 400 from a body that could not be decoded.
ErrorReply BadRequest(const json::BodyError& error);
// 400 INVALID_HEADER: headers out of their bounds (request_metadata.hpp), one
// detail per header, its name as the field. The message names each header and
// what is wrong with it, never its value (which may be huge).
ErrorReply InvalidHeader(std::vector<json::FieldProblem> problems);
// 500 with a generic message: internal details go to the log, not the client.
ErrorReply InternalError();
// 503: the service cannot take the request now (shutting down, overloaded).
ErrorReply Unavailable(std::string message);

}  // namespace logistics::messaging
