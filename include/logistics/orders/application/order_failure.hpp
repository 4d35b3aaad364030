// OrderFailure: why an orders use case did not succeed: an OrderRejection
// (the domain said no; answered 4xx) or a PortError (the environment failed;
// answered 500/503). The shape is shared with every service
// (aggregate_service/application/use_case_failure.hpp); this header names it in
// the orders' words.
//
// Thread-safety: plain values.
#pragma once

#include "logistics/aggregate_service/application/use_case_failure.hpp"
#include "logistics/orders/domain/order_error.hpp"

namespace logistics::orders::application {

using OrderFailure = aggregate_service::UseCaseFailure<domain::OrderRejection>;

template <typename T>
using OrderResult = aggregate_service::UseCaseResult<T, domain::OrderRejection>;

// Shorthands for returning a failure from a use case or a port.
inline auto Rejected(domain::OrderRejection rejection) {
  return aggregate_service::RejectedBecause(std::move(rejection));
}
inline auto Failed(common::PortError error) {
  return aggregate_service::FailedBecause<domain::OrderRejection>(std::move(error));
}

}  // namespace logistics::orders::application
