// PaymentFailure: why a payments use case did not succeed.
//
// Either the domain rejected the command (PaymentRejection: a normal outcome
// the client can act on) or a port failed (PortError: the environment).
// Keeping them apart lets the transport answer 4xx for the first and 500 for
// the second without string matching.
//
// Thread-safety: plain values.
#pragma once

#include <utility>
#include <variant>

#include "logistics/common/port_error.hpp"
#include "logistics/common/result.hpp"
#include "logistics/payments/domain/payment_error.hpp"

namespace logistics::payments::application {

using PaymentFailure = std::variant<domain::PaymentRejection, common::PortError>;

template <typename T>
using PaymentResult = common::Result<T, PaymentFailure>;

// Shorthands for returning a failure from a use case or a port.
inline common::Unexpected<PaymentFailure> Rejected(domain::PaymentRejection rejection) {
  return common::Unexpected<PaymentFailure>{PaymentFailure{std::move(rejection)}};
}
inline common::Unexpected<PaymentFailure> Failed(common::PortError error) {
  return common::Unexpected<PaymentFailure>{PaymentFailure{std::move(error)}};
}

}  // namespace logistics::payments::application
