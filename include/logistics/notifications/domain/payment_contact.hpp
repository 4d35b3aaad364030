// PaymentContact: what the notifications context keeps about a payment.
//
// Built from the payment events it consumed (the PAYMENTS stream): enough to
// tell a customer how much they paid or were refunded, and for which order.
// The amount stays the payments service's decimal text ("100.00", always two
// decimals) and the currency its 3-letter code: notifications only shows them,
// so it neither parses nor re-formats money. `version` is the payment's
// aggregateversion: a contact never replaces one with a greater or equal
// version.
//
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <string>

namespace logistics::notifications::domain {

struct PaymentContact {
  std::string payment_id;
  std::string order_id;
  std::string amount;    // "100.00"
  std::string currency;  // "USD"
  std::int64_t version = 0;

  bool operator==(const PaymentContact&) const = default;
};

}  // namespace logistics::notifications::domain
