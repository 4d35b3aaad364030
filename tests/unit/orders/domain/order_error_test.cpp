#include "logistics/orders/domain/order_error.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

using logistics::orders::domain::Code;
using logistics::orders::domain::DefaultMessage;
using logistics::orders::domain::Field;
using logistics::orders::domain::OrderError;
using logistics::orders::domain::Reject;

namespace {

struct ErrorRow {
  OrderError error;
  const char* code;
  const char* field;
};

// Every OrderError, with the code clients rely on and the field it concerns.
// These strings are the wire contract: a change here breaks clients.
const std::vector<ErrorRow> kEveryError = {
    {OrderError::kTrackingNumberEmpty, "TRACKING_NUMBER_EMPTY", "tracking_number"},
    {OrderError::kTrackingNumberTooLong, "TRACKING_NUMBER_TOO_LONG", "tracking_number"},
    {OrderError::kCustomerNameEmpty, "CUSTOMER_NAME_EMPTY", "customer_name"},
    {OrderError::kCustomerNameTooLong, "CUSTOMER_NAME_TOO_LONG", "customer_name"},
    {OrderError::kOriginEmpty, "ORIGIN_EMPTY", "origin"},
    {OrderError::kOriginTooLong, "ORIGIN_TOO_LONG", "origin"},
    {OrderError::kDestinationEmpty, "DESTINATION_EMPTY", "destination"},
    {OrderError::kDestinationTooLong, "DESTINATION_TOO_LONG", "destination"},
    {OrderError::kSameOriginAndDestination, "SAME_ORIGIN_AND_DESTINATION", "destination"},
    {OrderError::kCustomerEmailInvalid, "CUSTOMER_EMAIL_INVALID", "customer_email"},
    {OrderError::kDriverIdEmpty, "DRIVER_ID_EMPTY", "driver_id"},
    {OrderError::kDriverIdTooLong, "DRIVER_ID_TOO_LONG", "driver_id"},
    {OrderError::kReasonTooLong, "REASON_TOO_LONG", "reason"},
    {OrderError::kOrderNotFound, "ORDER_NOT_FOUND", ""},
    {OrderError::kDuplicateTrackingNumber, "DUPLICATE_TRACKING_NUMBER", "tracking_number"},
    {OrderError::kInvalidTransition, "INVALID_STATE_TRANSITION", ""},
    {OrderError::kDriverNotAssigned, "DRIVER_NOT_ASSIGNED", ""},
    {OrderError::kConcurrentModification, "CONCURRENT_MODIFICATION", ""},
};

}  // namespace

TEST_CASE("every order error has a stable code and names the field it concerns",
          "[orders][domain]") {
  const ErrorRow row = GENERATE(from_range(kEveryError));
  CAPTURE(row.code);
  CHECK(Code(row.error) == row.code);
  CHECK(Field(row.error) == row.field);
}

TEST_CASE("the order error codes are distinct", "[orders][domain]") {
  std::set<std::string> codes;
  for (const ErrorRow& row : kEveryError) codes.emplace(Code(row.error));
  CHECK(codes.size() == kEveryError.size());
}

TEST_CASE("every order error has a default message for humans", "[orders][domain]") {
  const ErrorRow row = GENERATE(from_range(kEveryError));
  CAPTURE(row.code);
  const std::string message(DefaultMessage(row.error));
  CHECK(message.size() > 10);
  CHECK(message != row.code);
}

TEST_CASE("a rejection carries the default message unless given a specific one",
          "[orders][domain]") {
  const auto plain = Reject(OrderError::kOrderNotFound);
  CHECK(plain.error == OrderError::kOrderNotFound);
  CHECK(plain.message == DefaultMessage(OrderError::kOrderNotFound));

  const auto specific = Reject(OrderError::kOrderNotFound, "order 42 not found");
  CHECK(specific.error == OrderError::kOrderNotFound);
  CHECK(specific.message == "order 42 not found");
}
