// OrderError and OrderRejection: why the orders domain said no.
//
// OrderError is the closed set of reasons; each has a stable upper-case code
// that clients may rely on (it is part of the wire contract, see README) and
// the request field it concerns, if any. OrderRejection pairs a reason with a
// human-readable message that may name values (the current status, a limit).
// Mapping a reason to a transport status (400/404/409) is the presentation
// layer's job, in one switch without a default.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <string>
#include <string_view>

namespace logistics::orders::domain {

enum class OrderError {
  kTrackingNumberEmpty,
  kTrackingNumberTooLong,
  kCustomerNameEmpty,
  kCustomerNameTooLong,
  kOriginEmpty,
  kOriginTooLong,
  kDestinationEmpty,
  kDestinationTooLong,
  kSameOriginAndDestination,
  kCustomerEmailInvalid,
  kDriverIdEmpty,
  kDriverIdTooLong,
  kReasonTooLong,
  kOrderNotFound,
  kDuplicateTrackingNumber,
  kInvalidTransition,
  kDriverNotAssigned,
  kConcurrentModification,
};

// The stable wire code, e.g. "TRACKING_NUMBER_TOO_LONG", "ORDER_NOT_FOUND",
// "INVALID_STATE_TRANSITION".
std::string_view Code(OrderError error);

// The request field the error concerns ("tracking_number", "origin", ...), or
// an empty view when it concerns the order as a whole.
std::string_view Field(OrderError error);

// A default message for the error, used when no more specific one is given.
std::string_view DefaultMessage(OrderError error);

struct OrderRejection {
  OrderError error;
  std::string message;
};

// A rejection with the error's default message.
OrderRejection Reject(OrderError error);
// A rejection with a specific message.
OrderRejection Reject(OrderError error, std::string message);

}  // namespace logistics::orders::domain
