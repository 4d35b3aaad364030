// OrderFailure: why an orders use case did not succeed.
//
// Either the domain rejected the command (OrderRejection: a normal outcome the
// client can act on) or a port failed (PortError: the environment). Keeping
// them apart lets the transport answer 4xx for the first and 500 for the second
// without string matching.
//
// Thread-safety: plain values.
#pragma once

#include <variant>

#include "logistics/common/port_error.hpp"
#include "logistics/common/result.hpp"
#include "logistics/orders/domain/order_error.hpp"

namespace logistics::orders::application {

using OrderFailure = std::variant<domain::OrderRejection, common::PortError>;

template <typename T>
using OrderResult = common::Result<T, OrderFailure>;

// Shorthands for returning a failure from a use case or a port.
inline common::Unexpected<OrderFailure> Rejected(domain::OrderRejection rejection) {
  return common::Unexpected<OrderFailure>{OrderFailure{std::move(rejection)}};
}
inline common::Unexpected<OrderFailure> Failed(common::PortError error) {
  return common::Unexpected<OrderFailure>{OrderFailure{std::move(error)}};
}

}  // namespace logistics::orders::application
