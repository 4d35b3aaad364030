#include "logistics/orders/presentation/order_error_replies.hpp"

#include "logistics/aggregate_service/presentation/failure_reply.hpp"

namespace logistics::orders::presentation {
namespace {

int StatusOf(domain::OrderError error) {
  using domain::OrderError;
  switch (error) {
    case OrderError::kTrackingNumberEmpty:
    case OrderError::kTrackingNumberTooLong:
    case OrderError::kCustomerNameEmpty:
    case OrderError::kCustomerNameTooLong:
    case OrderError::kOriginEmpty:
    case OrderError::kOriginTooLong:
    case OrderError::kDestinationEmpty:
    case OrderError::kDestinationTooLong:
    case OrderError::kSameOriginAndDestination:
    case OrderError::kCustomerEmailInvalid:
    case OrderError::kDriverIdEmpty:
    case OrderError::kDriverIdTooLong:
    case OrderError::kReasonTooLong:
      return 400;
    case OrderError::kOrderNotFound:
      return 404;
    case OrderError::kDuplicateTrackingNumber:
    case OrderError::kInvalidTransition:
    case OrderError::kDriverNotAssigned:
    case OrderError::kConcurrentModification:
      return 409;
  }
  return 500;  // unreachable: the switch covers every enumerator
}

}  // namespace

messaging::ErrorReply ToErrorReply(const application::OrderFailure& failure) {
  return aggregate_service::presentation::FailureReply(failure, "orders use case", StatusOf);
}

}  // namespace logistics::orders::presentation
