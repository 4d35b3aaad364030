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

// A use case or port returns `Rejected(rejection)` or `Failed(port_error)`.
inline auto Rejected(domain::PaymentRejection rejection) {
  return aggregate_service::RejectedBecause(std::move(rejection));
}
inline auto Failed(common::PortError error) {
  return aggregate_service::FailedBecause<domain::PaymentRejection>(std::move(error));
}

}  // namespace logistics::payments::application
