// PaymentSnapshot: every field of a payment at one version, as plain data.
//
// It is what repositories store and load, what events carry as their data, and
// what replies show. It holds no rules: only Payment (payment.hpp) changes one.
// Because Money and Currency have no default value, neither has a snapshot:
// build one with designated initializers once the amount and currency are
// parsed (infrastructure: Money::FromCents and Currency::Parse on the stored
// columns, treating a failure as corrupt storage).
//
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "logistics/common/time.hpp"
#include "logistics/payments/domain/currency.hpp"
#include "logistics/payments/domain/money.hpp"
#include "logistics/payments/domain/payment_status.hpp"

namespace logistics::payments::domain {

struct PaymentSnapshot {
  std::string payment_id;  // UUIDv7, assigned at registration
  std::string order_id;    // the order it pays; never changes
  Money amount;
  Currency currency;
  PaymentStatus status = PaymentStatus::kPending;
  std::optional<std::string> failure_reason;  // set when it FAILED
  std::optional<std::string> refund_reason;   // set when REFUNDED with a reason
  common::Timestamp created_at;
  common::Timestamp updated_at;
  std::int64_t version = 0;  // 1 at registration, +1 for every change

  bool operator==(const PaymentSnapshot&) const = default;
};

}  // namespace logistics::payments::domain
