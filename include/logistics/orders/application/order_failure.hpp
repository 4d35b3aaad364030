// OrderFailure: why an orders use case did not succeed: an OrderRejection
// (the domain said no; answered 4xx) or a PortError (the environment failed;
// answered 500/503). The shape, and the Rejected/Failed shorthands that build
// one, are shared with every service (aggregate_service/application/
// use_case_failure.hpp); this header names it in the orders' words.
//
// Thread-safety: plain values.
#pragma once

#include "logistics/aggregate_service/application/use_case_failure.hpp"
#include "logistics/orders/domain/order_error.hpp"

namespace logistics::orders::application {

using OrderFailure = aggregate_service::UseCaseFailure<domain::OrderRejection>;
template <typename T>
using OrderResult = aggregate_service::UseCaseResult<T, domain::OrderRejection>;
using aggregate_service::Failed;
using aggregate_service::Rejected;

}  // namespace logistics::orders::application
