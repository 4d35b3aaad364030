// The payments wire vocabulary: error codes and fields, status names, event
// names, and which order statuses can be paid.
#include "logistics/payments/domain/payment_error.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "logistics/payments/domain/order_view.hpp"
#include "logistics/payments/domain/payment_event.hpp"
#include "logistics/payments/domain/payment_status.hpp"

namespace {

using logistics::payments::domain::Code;
using logistics::payments::domain::DefaultMessage;
using logistics::payments::domain::EventName;
using logistics::payments::domain::Field;
using logistics::payments::domain::IsPayable;
using logistics::payments::domain::kAllPaymentStatuses;
using logistics::payments::domain::OrderView;
using logistics::payments::domain::ParsePaymentStatus;
using logistics::payments::domain::PaymentError;
using logistics::payments::domain::PaymentEventType;
using logistics::payments::domain::PaymentStatus;
using logistics::payments::domain::Reject;
using logistics::payments::domain::ToString;

struct ErrorRow {
  PaymentError error;
  const char* code;
  const char* field;
};

// Every PaymentError, with the code clients rely on and the field it concerns.
// These strings are the wire contract: a change here breaks clients.
const std::vector<ErrorRow> kEveryError = {
    {PaymentError::kAmountInvalid, "AMOUNT_INVALID", "amount"},
    {PaymentError::kAmountNotPositive, "AMOUNT_NOT_POSITIVE", "amount"},
    {PaymentError::kAmountTooLarge, "AMOUNT_TOO_LARGE", "amount"},
    {PaymentError::kCurrencyInvalid, "CURRENCY_INVALID", "currency"},
    {PaymentError::kReasonEmpty, "REASON_EMPTY", "reason"},
    {PaymentError::kReasonTooLong, "REASON_TOO_LONG", "reason"},
    {PaymentError::kPaymentNotFound, "PAYMENT_NOT_FOUND", "payment_id"},
    {PaymentError::kOrderNotFound, "ORDER_NOT_FOUND", "order_id"},
    {PaymentError::kOrderNotPayable, "ORDER_NOT_PAYABLE", "order_id"},
    {PaymentError::kInvalidTransition, "INVALID_STATE_TRANSITION", ""},
    {PaymentError::kConcurrentModification, "CONCURRENT_MODIFICATION", ""},
};

}  // namespace

TEST_CASE("every payment error has a stable code and names the field it concerns",
          "[payments][domain]") {
  const ErrorRow row = GENERATE(from_range(kEveryError));
  CAPTURE(row.code);
  CHECK(Code(row.error) == row.code);
  CHECK(Field(row.error) == row.field);
}

TEST_CASE("the payment error codes are distinct", "[payments][domain]") {
  std::set<std::string> codes;
  for (const ErrorRow& row : kEveryError) codes.emplace(Code(row.error));
  CHECK(codes.size() == kEveryError.size());
}

TEST_CASE("every payment error has a default message for humans", "[payments][domain]") {
  const ErrorRow row = GENERATE(from_range(kEveryError));
  CAPTURE(row.code);
  const std::string message(DefaultMessage(row.error));
  CHECK(message.size() > 10);
  CHECK(message != row.code);
}

TEST_CASE("a payment rejection carries the default message unless given a specific one",
          "[payments][domain]") {
  const auto plain = Reject(PaymentError::kPaymentNotFound);
  CHECK(plain.error == PaymentError::kPaymentNotFound);
  CHECK(plain.message == DefaultMessage(PaymentError::kPaymentNotFound));

  const auto specific = Reject(PaymentError::kPaymentNotFound, "payment 42 not found");
  CHECK(specific.error == PaymentError::kPaymentNotFound);
  CHECK(specific.message == "payment 42 not found");
}

TEST_CASE("every payment status has its stable wire name and parses back",
          "[payments][domain]") {
  struct Row {
    PaymentStatus status;
    const char* name;
  };
  const auto row = GENERATE(values<Row>({
      {PaymentStatus::kPending, "PENDING"},
      {PaymentStatus::kConfirmed, "CONFIRMED"},
      {PaymentStatus::kFailed, "FAILED"},
      {PaymentStatus::kRefunded, "REFUNDED"},
  }));
  CHECK(ToString(row.status) == row.name);
  CHECK(ParsePaymentStatus(row.name) == row.status);
}

TEST_CASE("kAllPaymentStatuses lists four distinct statuses", "[payments][domain]") {
  std::set<std::string> names;
  for (const PaymentStatus status : kAllPaymentStatuses) names.emplace(ToString(status));
  CHECK(names.size() == 4);
  CHECK(kAllPaymentStatuses.size() == 4);
}

TEST_CASE("text that is not exactly a payment status's wire name does not parse",
          "[payments][domain]") {
  const std::string text = GENERATE(as<std::string>{}, "", "pending", "Pending", " PENDING",
                                    "PENDING ", "CONFIRM", "REFUND", "CANCELLED", "PAID");
  CAPTURE(text);
  CHECK_FALSE(ParsePaymentStatus(text).has_value());
}

TEST_CASE("every payment event has its stable name", "[payments][domain]") {
  struct Row {
    PaymentEventType type;
    const char* name;
  };
  const auto row = GENERATE(values<Row>({
      {PaymentEventType::kRegistered, "registered"},
      {PaymentEventType::kConfirmed, "confirmed"},
      {PaymentEventType::kFailed, "failed"},
      {PaymentEventType::kRefunded, "refunded"},
  }));
  CHECK(EventName(row.type) == row.name);
}

TEST_CASE("an order can be paid unless it is cancelled, in transit or delivered",
          "[payments][domain]") {
  struct Row {
    const char* status;
    bool payable;
  };
  const auto row = GENERATE(values<Row>({
      {"CREATED", true},
      {"ASSIGNED", true},
      {"PAID", true},
      {"IN_TRANSIT", false},
      {"DELIVERED", false},
      {"CANCELLED", false},
      {"ON_HOLD", true},  // a status added later is not refused by accident
  }));
  CAPTURE(row.status);
  CHECK(IsPayable(OrderView{"order-1", row.status, 3}) == row.payable);
}
