// FailureReply: how any service answers a failed use case on the wire.
//
// A PortError is answered by its kind (messaging::PortFailureReply: 503
// STORAGE_FULL, 500 STORAGE_CORRUPT, else 500 with the cause logged under
// `context`, never sent). A rejection is answered with the status the service
// gives its error code (`status_of`, one switch with no default per service,
// so a new code nobody maps does not compile), the code's name
// (Code(error)), the message, and the field it concerns (Field(error)), both
// found next to the error enum.
//
// Thread-safety: pure (the 500 path logs).
#pragma once

#include <string_view>
#include <variant>

#include "logistics/aggregate_service/application/use_case_failure.hpp"
#include "logistics/messaging/error_reply.hpp"

namespace logistics::aggregate_service::presentation {

template <typename Rejection, typename StatusOf>
messaging::ErrorReply FailureReply(const UseCaseFailure<Rejection>& failure,
                                   std::string_view context, StatusOf status_of) {
  if (const auto* port = std::get_if<common::PortError>(&failure)) {
    return messaging::PortFailureReply(context, *port);
  }
  const Rejection& rejection = std::get<Rejection>(failure);
  return messaging::RejectionReply(status_of(rejection.error), Code(rejection.error),
                                   rejection.message, Field(rejection.error));
}

}  // namespace logistics::aggregate_service::presentation
