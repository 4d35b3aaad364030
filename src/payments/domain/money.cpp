#include "logistics/payments/domain/money.hpp"

#include <cstddef>

namespace logistics::payments::domain {
namespace {

using common::Unexpected;

// The integer part of the largest amount, 99999999, has 8 digits. Counting
// digits before converting keeps a 30-digit amount from overflowing int64.
constexpr std::size_t kMaxIntegerDigits = 8;
constexpr std::size_t kMaxDecimals = 2;

bool AllDigits(std::string_view text) {
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// The client's text inside a message: quoted, and cut short so that a
// megabyte of garbage does not come back in the error reply.
std::string Quoted(std::string_view text) {
  constexpr std::size_t kShown = 32;
  if (text.size() <= kShown) return "'" + std::string(text) + "'";
  return "'" + std::string(text.substr(0, kShown)) + "...'";
}

PaymentRejection Malformed(std::string_view text) {
  return Reject(PaymentError::kAmountInvalid,
                "amount must be a plain decimal number with at most 2 decimals, such as 100 or "
                "100.50 (got " +
                    Quoted(text) + ")");
}

PaymentRejection NotPositive(const std::string& got) {
  return Reject(PaymentError::kAmountNotPositive, "amount must be greater than 0 (got " + got + ")");
}

PaymentRejection TooLarge(const std::string& got) {
  return Reject(PaymentError::kAmountTooLarge, "amount must be at most 99999999.99 (got " + got + ")");
}

std::string CentsText(std::int64_t cents) { return std::to_string(cents) + " cents"; }

}  // namespace

common::Result<Money, PaymentRejection> Money::Parse(std::string_view decimal_text) {
  if (decimal_text.empty()) {
    return Unexpected{Reject(PaymentError::kAmountInvalid, "amount must not be empty")};
  }
  std::string_view body = decimal_text;
  const bool negative = body.front() == '-';
  if (negative) body.remove_prefix(1);

  const std::size_t dot = body.find('.');
  const std::string_view integer = body.substr(0, dot);
  const std::string_view decimals =
      dot == std::string_view::npos ? std::string_view() : body.substr(dot + 1);
  // The grammar is digits ['.' digits]: no sign, exponent or white space, and
  // a digit on both sides of the point, as in JSON, so ".5" and "5." are typos
  // to point out rather than guesses to make.
  if (integer.empty() || !AllDigits(integer) ||
      (dot != std::string_view::npos && (decimals.empty() || !AllDigits(decimals)))) {
    return Unexpected{Malformed(decimal_text)};
  }
  if (decimals.size() > kMaxDecimals) {
    // Rounding would silently charge a different amount than the one asked.
    return Unexpected{Reject(PaymentError::kAmountInvalid,
                             "amount must have at most 2 decimals (got " + Quoted(decimal_text) +
                                 ")")};
  }
  if (negative) return Unexpected{NotPositive(Quoted(decimal_text))};

  std::string_view significant = integer;
  while (significant.size() > 1 && significant.front() == '0') significant.remove_prefix(1);
  if (significant.size() > kMaxIntegerDigits) return Unexpected{TooLarge(Quoted(decimal_text))};

  std::int64_t cents = 0;
  for (const char c : significant) cents = cents * 10 + (c - '0');
  for (std::size_t i = 0; i < kMaxDecimals; ++i) {
    cents = cents * 10 + (i < decimals.size() ? decimals[i] - '0' : 0);
  }
  if (cents < kMinCents) return Unexpected{NotPositive(Quoted(decimal_text))};
  if (cents > kMaxCents) return Unexpected{TooLarge(Quoted(decimal_text))};
  return Money(cents);
}

common::Result<Money, PaymentRejection> Money::FromCents(std::int64_t cents) {
  if (cents < kMinCents) return Unexpected{NotPositive(CentsText(cents))};
  if (cents > kMaxCents) return Unexpected{TooLarge(CentsText(cents))};
  return Money(cents);
}

std::string Money::ToString() const {
  // cents_ is positive (class invariant), so plain division needs no sign
  // handling.
  const std::int64_t units = cents_ / 100;
  const std::int64_t fraction = cents_ % 100;
  return std::to_string(units) + (fraction < 10 ? ".0" : ".") + std::to_string(fraction);
}

}  // namespace logistics::payments::domain
