#include "logistics/orders/domain/order_error.hpp"

#include <cstdlib>
#include <utility>

#include "logistics/orders/domain/order_limits.hpp"

namespace logistics::orders::domain {

// The default messages spell the limits out; these make changing a limit
// without its message a build error.
static_assert(kMaxTrackingNumberLength == 100 && kMaxDriverIdLength == 100);
static_assert(kMaxNameLength == 255 && kMaxReasonLength == 500);

// Each function below is one switch without `default`, so adding an enumerator
// to OrderError makes the build (-Werror=switch) point at every place that
// must map it. The std::abort() after each switch is reached only by a value
// cast from outside the enumerators, which is a bug.

std::string_view Code(OrderError error) {
  switch (error) {
    case OrderError::kTrackingNumberEmpty:
      return "TRACKING_NUMBER_EMPTY";
    case OrderError::kTrackingNumberTooLong:
      return "TRACKING_NUMBER_TOO_LONG";
    case OrderError::kCustomerNameEmpty:
      return "CUSTOMER_NAME_EMPTY";
    case OrderError::kCustomerNameTooLong:
      return "CUSTOMER_NAME_TOO_LONG";
    case OrderError::kOriginEmpty:
      return "ORIGIN_EMPTY";
    case OrderError::kOriginTooLong:
      return "ORIGIN_TOO_LONG";
    case OrderError::kDestinationEmpty:
      return "DESTINATION_EMPTY";
    case OrderError::kDestinationTooLong:
      return "DESTINATION_TOO_LONG";
    case OrderError::kSameOriginAndDestination:
      return "SAME_ORIGIN_AND_DESTINATION";
    case OrderError::kCustomerEmailInvalid:
      return "CUSTOMER_EMAIL_INVALID";
    case OrderError::kDriverIdEmpty:
      return "DRIVER_ID_EMPTY";
    case OrderError::kDriverIdTooLong:
      return "DRIVER_ID_TOO_LONG";
    case OrderError::kReasonTooLong:
      return "REASON_TOO_LONG";
    case OrderError::kOrderNotFound:
      return "ORDER_NOT_FOUND";
    case OrderError::kDuplicateTrackingNumber:
      return "DUPLICATE_TRACKING_NUMBER";
    case OrderError::kInvalidTransition:
      // The wire name predates the enumerator and clients match on it.
      return "INVALID_STATE_TRANSITION";
    case OrderError::kDriverNotAssigned:
      return "DRIVER_NOT_ASSIGNED";
    case OrderError::kConcurrentModification:
      return "CONCURRENT_MODIFICATION";
  }
  std::abort();
}

std::string_view Field(OrderError error) {
  switch (error) {
    case OrderError::kTrackingNumberEmpty:
    case OrderError::kTrackingNumberTooLong:
    case OrderError::kDuplicateTrackingNumber:
      return "tracking_number";
    case OrderError::kCustomerNameEmpty:
    case OrderError::kCustomerNameTooLong:
      return "customer_name";
    case OrderError::kOriginEmpty:
    case OrderError::kOriginTooLong:
      return "origin";
    case OrderError::kDestinationEmpty:
    case OrderError::kDestinationTooLong:
    // The destination is the field checked against the other, so a client
    // form highlights it rather than both.
    case OrderError::kSameOriginAndDestination:
      return "destination";
    case OrderError::kCustomerEmailInvalid:
      return "customer_email";
    case OrderError::kDriverIdEmpty:
    case OrderError::kDriverIdTooLong:
      return "driver_id";
    case OrderError::kReasonTooLong:
      return "reason";
    // These concern the order as a whole, not a value the client typed.
    case OrderError::kOrderNotFound:
    case OrderError::kInvalidTransition:
    case OrderError::kDriverNotAssigned:
    case OrderError::kConcurrentModification:
      return {};
  }
  std::abort();
}

std::string_view DefaultMessage(OrderError error) {
  switch (error) {
    case OrderError::kTrackingNumberEmpty:
      return "tracking_number must not be empty or blank";
    case OrderError::kTrackingNumberTooLong:
      return "tracking_number must be at most 100 characters";
    case OrderError::kCustomerNameEmpty:
      return "customer_name must not be empty or blank";
    case OrderError::kCustomerNameTooLong:
      return "customer_name must be at most 255 characters";
    case OrderError::kOriginEmpty:
      return "origin must not be empty or blank";
    case OrderError::kOriginTooLong:
      return "origin must be at most 255 characters";
    case OrderError::kDestinationEmpty:
      return "destination must not be empty or blank";
    case OrderError::kDestinationTooLong:
      return "destination must be at most 255 characters";
    case OrderError::kSameOriginAndDestination:
      return "origin and destination must be different places";
    case OrderError::kCustomerEmailInvalid:
      return "customer_email must be an e-mail address such as name@example.com";
    case OrderError::kDriverIdEmpty:
      return "driver_id must not be empty or blank";
    case OrderError::kDriverIdTooLong:
      return "driver_id must be at most 100 characters";
    case OrderError::kReasonTooLong:
      return "reason must be at most 500 characters";
    case OrderError::kOrderNotFound:
      return "the order does not exist";
    case OrderError::kDuplicateTrackingNumber:
      return "another order already has this tracking_number";
    case OrderError::kInvalidTransition:
      return "the command is not allowed in the order's current status";
    case OrderError::kDriverNotAssigned:
      return "the order has no driver; assign one first";
    case OrderError::kConcurrentModification:
      return "the order was changed by another command at the same time; retry";
  }
  std::abort();
}

OrderRejection Reject(OrderError error) {
  return OrderRejection{error, std::string(DefaultMessage(error))};
}

OrderRejection Reject(OrderError error, std::string message) {
  return OrderRejection{error, std::move(message)};
}

}  // namespace logistics::orders::domain
