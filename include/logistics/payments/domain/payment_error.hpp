// PaymentError and PaymentRejection: why the payments domain said no.
//
// PaymentError is the closed set of reasons; each has a stable upper-case code
// that clients may rely on (it is part of the wire contract, like the orders
// codes) and the request field it concerns, if any. PaymentRejection pairs a
// reason with a human-readable message that may name values (the current
// status, a limit, the text that did not parse). Mapping a reason to a
// transport status (400/404/409) is the presentation layer's job, in one
// switch without a default.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <string>
#include <string_view>

namespace logistics::payments::domain {

enum class PaymentError {
  kAmountInvalid,      // the amount's text is not a plain decimal with at most 2 decimals
  kAmountNotPositive,  // zero or negative
  kAmountTooLarge,     // above 99999999.99
  kCurrencyInvalid,    // not exactly 3 upper-case ASCII letters
  kReasonEmpty,        // fail needs a reason
  kReasonTooLong,      // > 500 characters
  kPaymentNotFound,
  kOrderNotFound,     // neither the projection nor the orders service knows the order
  kOrderNotPayable,   // the order is CANCELLED, IN_TRANSIT or DELIVERED
  kInvalidTransition,  // the command is not allowed in the payment's status
  kConcurrentModification,
};

// The stable wire code, e.g. "AMOUNT_TOO_LARGE", "PAYMENT_NOT_FOUND",
// "INVALID_STATE_TRANSITION".
std::string_view Code(PaymentError error);

// The request field the error concerns ("amount", "currency", "reason",
// "payment_id", "order_id"), or an empty view when it concerns the payment as
// a whole.
std::string_view Field(PaymentError error);

// A default message for the error, used when no more specific one is given.
std::string_view DefaultMessage(PaymentError error);

struct PaymentRejection {
  PaymentError error;
  std::string message;

  bool operator==(const PaymentRejection&) const = default;
};

// A rejection with the error's default message.
PaymentRejection Reject(PaymentError error);
// A rejection with a specific message.
PaymentRejection Reject(PaymentError error, std::string message);

}  // namespace logistics::payments::domain
