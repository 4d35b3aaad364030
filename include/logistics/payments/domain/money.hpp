// Money: a positive amount of one currency, held exactly as integer cents.
//
// Money is never a double. Binary floating point cannot hold most decimal
// fractions (0.10 is 0.1000000000000000055...), so sums drift, comparisons
// surprise and rounding when storing or printing can move a cent. Cents in an
// int64 are exact, compare exactly and are what the database stores. The
// range is part of the wire contract (SPEC §2): 0.01 <= amount <= 99999999.99,
// so every Money is a valid payment amount and code holding one needs no
// further check. There is deliberately no default constructor: a Money always
// came through Parse or FromCents.
//
// Contract with the transport: SPEC §2 accepts the amount as a JSON number or
// a JSON string. A string is passed to Parse as it is. A number is passed as
// its shortest round-trip decimal text (10.5 -> "10.5", 100 -> "100"), so
// Parse never sees a double and decides on the digits the client wrote, as far
// as a double can carry them. JSON has no NaN or Infinity, so they never reach
// Parse. A number whose shortest text uses an exponent (1e20 -> "1e+20") is
// rejected as malformed, like the string "1e2": amounts are written in plain
// decimal notation.
//
// Thread-safety: an immutable value.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "logistics/common/result.hpp"
#include "logistics/payments/domain/payment_error.hpp"

namespace logistics::payments::domain {

class Money {
 public:
  static constexpr std::int64_t kMinCents = 1;              // 0.01
  static constexpr std::int64_t kMaxCents = 9'999'999'999;  // 99999999.99

  // Parses a plain decimal: one or more ASCII digits, optionally followed by
  // '.' and one or two digits ("100", "100.5", "100.50", "0.01", "007.50").
  // Fails with:
  //  - kAmountInvalid for anything else: empty text, white space anywhere,
  //    a '+' sign, an exponent ("1e2"), no digit before or after the point
  //    (".5", "5."), more than 2 decimals ("10.001"), other characters;
  //  - kAmountNotPositive for zero ("0", "0.00") and for a '-' sign in front
  //    of an otherwise plain decimal ("-5"): the client meant a negative
  //    amount, and "must be greater than 0" tells them what to fix;
  //  - kAmountTooLarge above 99999999.99 (however many digits it has).
  // The message quotes the text (shortened when long).
  static common::Result<Money, PaymentRejection> Parse(std::string_view decimal_text);

  // Money of `cents` cents. kAmountNotPositive when cents < 1; kAmountTooLarge
  // when cents > kMaxCents. Infrastructure uses it to load stored amounts.
  static common::Result<Money, PaymentRejection> FromCents(std::int64_t cents);

  std::int64_t cents() const { return cents_; }

  // Always two decimals and no sign or grouping: "100.00", "0.05",
  // "99999999.99". Parse(ToString()) gives the same Money back.
  std::string ToString() const;

  bool operator==(const Money&) const = default;
  auto operator<=>(const Money&) const = default;

 private:
  explicit Money(std::int64_t cents) : cents_(cents) {}

  std::int64_t cents_;
};

}  // namespace logistics::payments::domain
