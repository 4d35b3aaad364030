// How a payments use case failure is answered on the wire.
//
// Amount, currency and reason rules -> 400 naming the field; an unknown
// payment or order -> 404; an order that cannot be paid, a forbidden
// transition or a concurrent change -> 409; a PortError -> 500 (logged, not
// sent). One switch over PaymentError with no default.
//
// Thread-safety: pure functions (the 500 path logs).
#pragma once

#include "logistics/messaging/error_reply.hpp"
#include "logistics/payments/application/payment_failure.hpp"

namespace logistics::payments::presentation {

messaging::ErrorReply ToErrorReply(const application::PaymentFailure& failure);

}  // namespace logistics::payments::presentation
