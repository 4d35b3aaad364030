#include "logistics/payments/presentation/payment_error_replies.hpp"

#include "logistics/aggregate_service/presentation/failure_reply.hpp"

namespace logistics::payments::presentation {
namespace {

int StatusOf(domain::PaymentError error) {
  using domain::PaymentError;
  switch (error) {
    case PaymentError::kAmountInvalid:
    case PaymentError::kAmountNotPositive:
    case PaymentError::kAmountTooLarge:
    case PaymentError::kCurrencyInvalid:
    case PaymentError::kReasonEmpty:
    case PaymentError::kReasonTooLong:
      return 400;
    case PaymentError::kPaymentNotFound:
    case PaymentError::kOrderNotFound:
      return 404;
    case PaymentError::kOrderNotPayable:
    case PaymentError::kInvalidTransition:
    case PaymentError::kConcurrentModification:
      return 409;
  }
  return 500;  // unreachable: the switch covers every enumerator
}

}  // namespace

messaging::ErrorReply ToErrorReply(const application::PaymentFailure& failure) {
  return aggregate_service::presentation::FailureReply(failure, "payments use case", StatusOf);
}

}  // namespace logistics::payments::presentation
