// The replies every service's endpoints give the same way: a body that could
// not be decoded, and the result of a query.
//
// RejectBadBody answers 400 (messaging::BadRequest) when decoding failed and
// logs it at debug level with the subject and correlation id; the handler
// stops when it returns true. RespondWith answers a query's result: the
// reply body made by `to_json`, or the failure's reply made by `to_error`.
//
// Thread-safety: whatever IncomingRequest allows (any thread, once).
#pragma once

#include <memory>

#include "logistics/common/result.hpp"
#include "logistics/json/body_reader.hpp"
#include "logistics/messaging/error_reply.hpp"
#include "logistics/messaging/incoming_request.hpp"

namespace logistics::aggregate_service::presentation {

using RequestPtr = std::shared_ptr<messaging::IncomingRequest>;

// Logs a decoding failure; kept out of the template so it is written once.
void LogBadBody(const messaging::IncomingRequest& request, const json::BodyError& error);

// Answers a decoding failure; true when there was one.
template <typename T>
bool RejectBadBody(const RequestPtr& request, const common::Result<T, json::BodyError>& decoded) {
  if (decoded) return false;
  LogBadBody(*request, decoded.error());
  request->Respond(messaging::BadRequest(decoded.error()));
  return true;
}

template <typename T, typename Failure, typename ToJson, typename ToError>
void RespondWith(const RequestPtr& request, const common::Result<T, Failure>& result,
                 ToJson to_json, ToError to_error) {
  if (!result) {
    request->Respond(to_error(result.error()));
    return;
  }
  request->Respond(to_json(*result));
}

}  // namespace logistics::aggregate_service::presentation
