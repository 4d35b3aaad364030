// How an orders use case failure is answered on the wire.
//
// Field rules -> 400 with a detail naming the field; kOrderNotFound -> 404;
// a duplicate tracking number, a forbidden transition, a missing driver or a
// concurrent change -> 409; a PortError -> 500 with a generic message (the
// cause is logged, never sent). One switch over OrderError, with no default,
// so adding an error without mapping it does not compile (-Werror=switch).
//
// Thread-safety: pure functions (the 500 path logs).
#pragma once

#include "logistics/messaging/error_reply.hpp"
#include "logistics/orders/application/order_failure.hpp"

namespace logistics::orders::presentation {

messaging::ErrorReply ToErrorReply(const application::OrderFailure& failure);

}  // namespace logistics::orders::presentation
