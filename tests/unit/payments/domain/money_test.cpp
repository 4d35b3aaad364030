// Money and Currency: what the payments context accepts as an amount and a
// currency, and how an amount is written back.
#include "logistics/payments/domain/money.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "logistics/payments/domain/currency.hpp"

namespace {

using logistics::payments::domain::Code;
using logistics::payments::domain::Currency;
using logistics::payments::domain::kDefaultCurrency;
using logistics::payments::domain::Money;
using logistics::payments::domain::PaymentError;

struct AmountRow {
  std::string text;
  std::optional<std::int64_t> cents;  // nullopt: rejected with `error`
  PaymentError error = PaymentError::kAmountInvalid;
};

constexpr auto kInvalid = PaymentError::kAmountInvalid;
constexpr auto kNotPositive = PaymentError::kAmountNotPositive;
constexpr auto kTooLarge = PaymentError::kAmountTooLarge;

}  // namespace

TEST_CASE("an amount is accepted only as a plain positive decimal of at most 2 decimals",
          "[payments][domain]") {
  const AmountRow row = GENERATE(values<AmountRow>({
      // Accepted, with the cents they stand for.
      {"100", 10000},
      {"100.5", 10050},
      {"100.50", 10050},
      {"0.01", 1},
      {"0.1", 10},
      {"1", 100},
      {"10.5", 1050},  // what the transport passes for the JSON number 10.5
      {"007.50", 750},
      {"99999999.99", 9'999'999'999},
      {"99999999", 9'999'999'900},
      // Malformed text.
      {"", std::nullopt, kInvalid},
      {"abc", std::nullopt, kInvalid},
      {"1e2", std::nullopt, kInvalid},
      {"1e+20", std::nullopt, kInvalid},  // a huge JSON number's shortest text
      {"1E2", std::nullopt, kInvalid},
      {" 1", std::nullopt, kInvalid},
      {"1 ", std::nullopt, kInvalid},
      {"\t1", std::nullopt, kInvalid},
      {"1 000", std::nullopt, kInvalid},
      {"+1", std::nullopt, kInvalid},
      {"1.", std::nullopt, kInvalid},
      {".5", std::nullopt, kInvalid},
      {".", std::nullopt, kInvalid},
      {"-", std::nullopt, kInvalid},
      {"--5", std::nullopt, kInvalid},
      {"1,5", std::nullopt, kInvalid},
      {"1.2.3", std::nullopt, kInvalid},
      {"0x10", std::nullopt, kInvalid},
      {"NaN", std::nullopt, kInvalid},
      {"Infinity", std::nullopt, kInvalid},
      {"\xD9\xA1", std::nullopt, kInvalid},  // ARABIC-INDIC DIGIT ONE is not an ASCII digit
      {"10.001", std::nullopt, kInvalid},
      {"0.001", std::nullopt, kInvalid},
      {"-1.001", std::nullopt, kInvalid},
      // Zero and negative.
      {"0", std::nullopt, kNotPositive},
      {"0.00", std::nullopt, kNotPositive},
      {"000", std::nullopt, kNotPositive},
      {"-5", std::nullopt, kNotPositive},
      {"-0", std::nullopt, kNotPositive},
      {"-0.01", std::nullopt, kNotPositive},
      // Above 99999999.99, however many digits.
      {"100000000.00", std::nullopt, kTooLarge},
      {"100000000", std::nullopt, kTooLarge},
      {"99999999999999999999999999999999", std::nullopt, kTooLarge},
  }));
  CAPTURE(row.text);

  const auto money = Money::Parse(row.text);
  if (row.cents) {
    REQUIRE(money.has_value());
    CHECK(money->cents() == *row.cents);
  } else {
    REQUIRE_FALSE(money.has_value());
    CHECK(Code(money.error().error) == Code(row.error));
  }
}

TEST_CASE("a rejected amount says what was wrong and quotes the text", "[payments][domain]") {
  struct Row {
    std::string text;
    std::string message;
  };
  const Row row = GENERATE(values<Row>({
      {"", "amount must not be empty"},
      {"1e2",
       "amount must be a plain decimal number with at most 2 decimals, such as 100 or 100.50 "
       "(got '1e2')"},
      {"10.001", "amount must have at most 2 decimals (got '10.001')"},
      {"-5", "amount must be greater than 0 (got '-5')"},
      {"0.00", "amount must be greater than 0 (got '0.00')"},
      {"100000000.00", "amount must be at most 99999999.99 (got '100000000.00')"},
      {std::string(40, '9'),
       "amount must be at most 99999999.99 (got '" + std::string(32, '9') + "...')"},
  }));
  CAPTURE(row.text);
  const auto money = Money::Parse(row.text);
  REQUIRE_FALSE(money.has_value());
  CHECK(money.error().message == row.message);
}

TEST_CASE("an amount is written with exactly two decimals and parses back to itself",
          "[payments][domain]") {
  struct Row {
    std::int64_t cents;
    const char* text;
  };
  const Row row = GENERATE(values<Row>({
      {1, "0.01"},
      {5, "0.05"},
      {10, "0.10"},
      {99, "0.99"},
      {100, "1.00"},
      {123, "1.23"},
      {10000, "100.00"},
      {10050, "100.50"},
      {9'999'999'999, "99999999.99"},
  }));
  CAPTURE(row.cents);
  const auto money = Money::FromCents(row.cents);
  REQUIRE(money.has_value());
  CHECK(money->ToString() == row.text);

  const auto again = Money::Parse(money->ToString());
  REQUIRE(again.has_value());
  CHECK(*again == *money);
}

TEST_CASE("a short decimal is written back with two decimals", "[payments][domain]") {
  const auto money = Money::Parse("100.5");
  REQUIRE(money.has_value());
  CHECK(money->ToString() == "100.50");
}

TEST_CASE("money from cents must be between 0.01 and 99999999.99", "[payments][domain]") {
  struct Row {
    std::int64_t cents;
    std::optional<PaymentError> error;
  };
  const Row row = GENERATE(values<Row>({
      {1, std::nullopt},
      {Money::kMaxCents, std::nullopt},
      {0, kNotPositive},
      {-1, kNotPositive},
      {std::numeric_limits<std::int64_t>::min(), kNotPositive},
      {Money::kMaxCents + 1, kTooLarge},
      {std::numeric_limits<std::int64_t>::max(), kTooLarge},
  }));
  CAPTURE(row.cents);
  const auto money = Money::FromCents(row.cents);
  if (!row.error) {
    REQUIRE(money.has_value());
    CHECK(money->cents() == row.cents);
  } else {
    REQUIRE_FALSE(money.has_value());
    CHECK(Code(money.error().error) == Code(*row.error));
  }
}

TEST_CASE("money out of range from cents names the cents", "[payments][domain]") {
  const auto zero = Money::FromCents(0);
  REQUIRE_FALSE(zero.has_value());
  CHECK(zero.error().message == "amount must be greater than 0 (got 0 cents)");
  const auto huge = Money::FromCents(10'000'000'000);
  REQUIRE_FALSE(huge.has_value());
  CHECK(huge.error().message == "amount must be at most 99999999.99 (got 10000000000 cents)");
}

TEST_CASE("amounts compare by their cents", "[payments][domain]") {
  const auto small = Money::Parse("10.05");
  const auto large = Money::Parse("10.5");
  const auto same = Money::FromCents(1005);
  REQUIRE((small.has_value() && large.has_value() && same.has_value()));
  CHECK(*small < *large);
  CHECK(*small == *same);
  CHECK(*large != *same);
}

TEST_CASE("a currency is exactly three upper-case ASCII letters", "[payments][domain]") {
  struct Row {
    std::string text;
    bool accepted;
  };
  const Row row = GENERATE(values<Row>({
      {"USD", true},
      {"EUR", true},
      {"JPY", true},
      {"XYZ", true},  // the shape is checked, not the ISO 4217 list
      {"usd", false},  // rejected, not normalised
      {"Usd", false},
      {"US", false},
      {"USDD", false},
      {"", false},
      {" USD", false},
      {"USD ", false},
      {"U D", false},
      {"US1", false},
      {"\xC3\x9CSD", false},  // "ÜSD": not ASCII
  }));
  CAPTURE(row.text);
  const auto currency = Currency::Parse(row.text);
  if (row.accepted) {
    REQUIRE(currency.has_value());
    CHECK(currency->code() == row.text);
  } else {
    REQUIRE_FALSE(currency.has_value());
    CHECK(currency.error().error == PaymentError::kCurrencyInvalid);
  }
}

TEST_CASE("a rejected currency is quoted in its message", "[payments][domain]") {
  const auto currency = Currency::Parse("usd");
  REQUIRE_FALSE(currency.has_value());
  CHECK(currency.error().message ==
        "currency must be a 3-letter upper-case code such as USD or EUR (got 'usd')");
}

TEST_CASE("the default currency is USD", "[payments][domain]") {
  CHECK(kDefaultCurrency == "USD");
  CHECK(Currency::Default().code() == "USD");
  const auto parsed = Currency::Parse("USD");
  REQUIRE(parsed.has_value());
  CHECK(Currency::Default() == *parsed);
}
