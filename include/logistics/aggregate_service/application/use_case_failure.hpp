// UseCaseFailure<Rejection>: why a use case of an aggregate's service did not
// succeed, for any service.
//
// Either the domain rejected the command (the service's Rejection: a normal
// outcome the client can act on) or a port failed (common::PortError: the
// environment). Keeping them apart lets the transport answer 4xx for the first
// and 500/503 for the second without string matching. Each service names its
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

// The failure side of a UseCaseResult: the domain said no.
template <typename Rejection>
common::Unexpected<UseCaseFailure<Rejection>> RejectedBecause(Rejection rejection) {
  return common::Unexpected<UseCaseFailure<Rejection>>{
      UseCaseFailure<Rejection>{std::in_place_index<0>, std::move(rejection)}};
}

// The failure side of a UseCaseResult: a port failed. Name the Rejection:
// FailedBecause<OrderRejection>(error).
template <typename Rejection>
common::Unexpected<UseCaseFailure<Rejection>> FailedBecause(common::PortError error) {
  return common::Unexpected<UseCaseFailure<Rejection>>{
      UseCaseFailure<Rejection>{std::in_place_index<1>, std::move(error)}};
}

}  // namespace logistics::aggregate_service
