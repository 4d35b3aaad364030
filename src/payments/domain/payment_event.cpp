#include "logistics/payments/domain/payment_event.hpp"

#include <cstdlib>

namespace logistics::payments::domain {

std::string_view EventName(PaymentEventType type) {
  switch (type) {
    case PaymentEventType::kRegistered:
      return "registered";
    case PaymentEventType::kConfirmed:
      return "confirmed";
    case PaymentEventType::kFailed:
      return "failed";
    case PaymentEventType::kRefunded:
      return "refunded";
  }
  // Only a value cast from outside the enumerators gets here: a bug, not input.
  std::abort();
}

}  // namespace logistics::payments::domain
