#include "logistics/payments/domain/payment_error.hpp"

#include <cstdlib>
#include <utility>

#include "logistics/payments/domain/money.hpp"
#include "logistics/payments/domain/payment.hpp"

namespace logistics::payments::domain {

// The default messages spell the limits out; these make changing a limit
// without its message a build error.
static_assert(kMaxReasonLength == 500);
static_assert(Money::kMinCents == 1 && Money::kMaxCents == 9'999'999'999);

// Each function below is one switch without `default`, so adding an enumerator
// to PaymentError makes the build (-Werror=switch) point at every place that
// must map it. The std::abort() after each switch is reached only by a value
// cast from outside the enumerators, which is a bug.

std::string_view Code(PaymentError error) {
  switch (error) {
    case PaymentError::kAmountInvalid:
      return "AMOUNT_INVALID";
    case PaymentError::kAmountNotPositive:
      return "AMOUNT_NOT_POSITIVE";
    case PaymentError::kAmountTooLarge:
      return "AMOUNT_TOO_LARGE";
    case PaymentError::kCurrencyInvalid:
      return "CURRENCY_INVALID";
    case PaymentError::kReasonEmpty:
      return "REASON_EMPTY";
    case PaymentError::kReasonTooLong:
      return "REASON_TOO_LONG";
    case PaymentError::kPaymentNotFound:
      return "PAYMENT_NOT_FOUND";
    case PaymentError::kOrderNotFound:
      return "ORDER_NOT_FOUND";
    case PaymentError::kOrderNotPayable:
      return "ORDER_NOT_PAYABLE";
    case PaymentError::kInvalidTransition:
      // The same wire name as the orders context's: clients match on it.
      return "INVALID_STATE_TRANSITION";
    case PaymentError::kConcurrentModification:
      return "CONCURRENT_MODIFICATION";
  }
  std::abort();
}

std::string_view Field(PaymentError error) {
  switch (error) {
    case PaymentError::kAmountInvalid:
    case PaymentError::kAmountNotPositive:
    case PaymentError::kAmountTooLarge:
      return "amount";
    case PaymentError::kCurrencyInvalid:
      return "currency";
    case PaymentError::kReasonEmpty:
    case PaymentError::kReasonTooLong:
      return "reason";
    // The id the client sent names something that does not exist (or, for an
    // order, cannot be paid), so the client fixes that field.
    case PaymentError::kPaymentNotFound:
      return "payment_id";
    case PaymentError::kOrderNotFound:
    case PaymentError::kOrderNotPayable:
      return "order_id";
    // These concern the payment as a whole, not a value the client typed.
    case PaymentError::kInvalidTransition:
    case PaymentError::kConcurrentModification:
      return {};
  }
  std::abort();
}

std::string_view DefaultMessage(PaymentError error) {
  switch (error) {
    case PaymentError::kAmountInvalid:
      return "amount must be a plain decimal number with at most 2 decimals, such as 100 or "
             "100.50";
    case PaymentError::kAmountNotPositive:
      return "amount must be greater than 0";
    case PaymentError::kAmountTooLarge:
      return "amount must be at most 99999999.99";
    case PaymentError::kCurrencyInvalid:
      return "currency must be a 3-letter upper-case code such as USD or EUR";
    case PaymentError::kReasonEmpty:
      return "reason must not be empty or blank";
    case PaymentError::kReasonTooLong:
      return "reason must be at most 500 characters";
    case PaymentError::kPaymentNotFound:
      return "the payment does not exist";
    case PaymentError::kOrderNotFound:
      return "the order does not exist";
    case PaymentError::kOrderNotPayable:
      return "the order cannot be paid: it is CANCELLED, IN_TRANSIT or DELIVERED";
    case PaymentError::kInvalidTransition:
      return "the command is not allowed in the payment's current status";
    case PaymentError::kConcurrentModification:
      return "the payment was changed by another command at the same time; retry";
  }
  std::abort();
}

PaymentRejection Reject(PaymentError error) {
  return PaymentRejection{error, std::string(DefaultMessage(error))};
}

PaymentRejection Reject(PaymentError error, std::string message) {
  return PaymentRejection{error, std::move(message)};
}

}  // namespace logistics::payments::domain
