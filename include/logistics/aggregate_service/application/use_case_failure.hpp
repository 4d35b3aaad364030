// UseCaseFailure<Rejection>: why a use case of an aggregate's service did not
// succeed, for any service.
//
// Either the domain rejected the command (the service's Rejection: a normal
// outcome the client can act on) or a port failed (common::PortError: the
// environment; a Rejection type is never PortError). Keeping them apart lets
// the transport answer 4xx for the first and 500/503 for the second without
// string matching. Each service names its
// instance (orders: OrderFailure, OrderResult<T>, see order_failure.hpp), so
// this is the one definition of the shape they share.
//
// Standard library and logistics/common only: application layers include it.
// Thread-safety: plain values.
#pragma once

#include <utility>
#include <variant>

#include "logistics/common/port_error.hpp"
#include "logistics/common/result.hpp"

namespace logistics::aggregate_service {

template <typename Rejection>
using UseCaseFailure = std::variant<Rejection, common::PortError>;

template <typename T, typename Rejection>
using UseCaseResult = common::Result<T, UseCaseFailure<Rejection>>;

// The failure side of any UseCaseResult, from a use case or a port:
//   return Rejected(domain::Reject(...));   // the domain said no
//   return Failed(port_error);              // the environment failed
// Both convert to the result's UseCaseFailure, whatever the service.
template <typename Rejection>
common::Unexpected<Rejection> Rejected(Rejection rejection) {
  return common::Unexpected<Rejection>{std::move(rejection)};
}
inline common::Unexpected<common::PortError> Failed(common::PortError error) {
  return common::Unexpected<common::PortError>{std::move(error)};
}

// A failure from a port or an inner use case, passed up unchanged: the use
// case adds nothing a caller could act on, and rewording would hide the
// storage layer's message.
template <typename Rejection>
common::Unexpected<UseCaseFailure<Rejection>> Propagate(UseCaseFailure<Rejection> failure) {
  return common::Unexpected<UseCaseFailure<Rejection>>{std::move(failure)};
}

}  // namespace logistics::aggregate_service
