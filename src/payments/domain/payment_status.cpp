#include "logistics/payments/domain/payment_status.hpp"

#include <cstdlib>

namespace logistics::payments::domain {

std::string_view ToString(PaymentStatus status) {
  switch (status) {
    case PaymentStatus::kPending:
      return "PENDING";
    case PaymentStatus::kConfirmed:
      return "CONFIRMED";
    case PaymentStatus::kFailed:
      return "FAILED";
    case PaymentStatus::kRefunded:
      return "REFUNDED";
  }
  // Only a value cast from outside the enumerators gets here: a bug, not input.
  std::abort();
}

std::optional<PaymentStatus> ParsePaymentStatus(std::string_view text) {
  // Derived from ToString so the two directions cannot drift apart.
  for (const PaymentStatus status : kAllPaymentStatuses) {
    if (ToString(status) == text) return status;
  }
  return std::nullopt;
}

}  // namespace logistics::payments::domain
