// PaymentStatus: where a payment is in its life, and its wire names.
//
//   PENDING --confirm--> CONFIRMED --refund--> REFUNDED
//      \--fail--> FAILED
//
// Thread-safety: pure values and functions.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace logistics::payments::domain {

enum class PaymentStatus { kPending, kConfirmed, kFailed, kRefunded };

inline constexpr std::array<PaymentStatus, 4> kAllPaymentStatuses = {
    PaymentStatus::kPending, PaymentStatus::kConfirmed, PaymentStatus::kFailed,
    PaymentStatus::kRefunded};

// "PENDING", "CONFIRMED", "FAILED", "REFUNDED".
std::string_view ToString(PaymentStatus status);

// The inverse of ToString; nullopt for any other text (case-sensitive).
std::optional<PaymentStatus> ParsePaymentStatus(std::string_view text);

}  // namespace logistics::payments::domain
