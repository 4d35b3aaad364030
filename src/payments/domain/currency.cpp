#include "logistics/payments/domain/currency.hpp"

#include <cstddef>

namespace logistics::payments::domain {
namespace {

constexpr std::size_t kCodeLength = 3;

bool IsUpperAsciiLetter(char c) { return c >= 'A' && c <= 'Z'; }

}  // namespace

common::Result<Currency, PaymentRejection> Currency::Parse(std::string_view code) {
  bool valid = code.size() == kCodeLength;
  for (const char c : code) valid = valid && IsUpperAsciiLetter(c);
  if (!valid) {
    // Shortened like amounts, so a long value does not come back whole.
    constexpr std::size_t kShown = 16;
    const std::string shown = code.size() <= kShown
                                  ? std::string(code)
                                  : std::string(code.substr(0, kShown)) + "...";
    return common::Unexpected{
        Reject(PaymentError::kCurrencyInvalid,
               "currency must be a 3-letter upper-case code such as USD or EUR (got '" + shown +
                   "')")};
  }
  return Currency(std::string(code));
}

Currency Currency::Default() { return Currency(std::string(kDefaultCurrency)); }

}  // namespace logistics::payments::domain
