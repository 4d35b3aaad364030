// PaymentFailure: the payments instance of the failure every use case can
// end in (aggregate_service/application/use_case_failure.hpp): a
// PaymentRejection, which the client can act on, or a PortError from storage.
//
// Thread-safety: plain values.
#pragma once

#include "logistics/aggregate_service/application/use_case_failure.hpp"
#include "logistics/payments/domain/payment_error.hpp"

namespace logistics::payments::application {

using PaymentFailure = aggregate_service::UseCaseFailure<domain::PaymentRejection>;
template <typename T>
using PaymentResult = aggregate_service::UseCaseResult<T, domain::PaymentRejection>;
using aggregate_service::Failed;
using aggregate_service::Rejected;

}  // namespace logistics::payments::application
