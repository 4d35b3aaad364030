// Currency: the 3-letter code of the currency a payment is in.
//
// A Currency is exactly three upper-case ASCII letters, the shape of an
// ISO 4217 alphabetic code ("USD", "EUR"). Lower case ("usd") is rejected, not
// normalised: the code is echoed back in replies and events, and a service
// that quietly rewrites what clients send makes them wonder which spelling is
// stored. The code is not checked against the ISO 4217 list: that list
// changes, and the domain carries no tables; a made-up code such as "XYZ"
// passes. kDefaultCurrency is what a registration without a currency gets.
//
// Thread-safety: an immutable value.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "logistics/common/result.hpp"
#include "logistics/payments/domain/payment_error.hpp"

namespace logistics::payments::domain {

// The currency of a payment registered without one (SPEC §2).
inline constexpr std::string_view kDefaultCurrency = "USD";

class Currency {
 public:
  // Exactly 3 ASCII letters 'A'..'Z'. kCurrencyInvalid otherwise (empty,
  // lower or mixed case, white space, digits, non-ASCII, other lengths); the
  // message quotes the text (shortened when long).
  static common::Result<Currency, PaymentRejection> Parse(std::string_view code);

  // Currency(kDefaultCurrency). Never fails.
  static Currency Default();

  // The code, e.g. "USD".
  const std::string& code() const { return code_; }

  bool operator==(const Currency&) const = default;

 private:
  explicit Currency(std::string code) : code_(std::move(code)) {}

  std::string code_;
};

}  // namespace logistics::payments::domain
