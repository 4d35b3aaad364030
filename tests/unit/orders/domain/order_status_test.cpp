#include "logistics/orders/domain/order_status.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "logistics/orders/domain/order_event.hpp"

using logistics::orders::domain::EventName;
using logistics::orders::domain::kAllOrderStatuses;
using logistics::orders::domain::OrderEventType;
using logistics::orders::domain::OrderStatus;
using logistics::orders::domain::ParseOrderStatus;
using logistics::orders::domain::ToString;

TEST_CASE("every order status has its stable wire name", "[orders][domain]") {
  struct Row {
    OrderStatus status;
    const char* name;
  };
  const auto row = GENERATE(values<Row>({
      {OrderStatus::kCreated, "CREATED"},
      {OrderStatus::kAssigned, "ASSIGNED"},
      {OrderStatus::kPaid, "PAID"},
      {OrderStatus::kInTransit, "IN_TRANSIT"},
      {OrderStatus::kDelivered, "DELIVERED"},
      {OrderStatus::kCancelled, "CANCELLED"},
  }));
  CHECK(ToString(row.status) == row.name);
}

TEST_CASE("parsing a status's wire name gives the status back", "[orders][domain]") {
  const OrderStatus status = GENERATE(from_range(kAllOrderStatuses));
  CAPTURE(ToString(status));
  CHECK(ParseOrderStatus(ToString(status)) == status);
}

TEST_CASE("kAllOrderStatuses lists six distinct statuses", "[orders][domain]") {
  for (std::size_t i = 0; i < kAllOrderStatuses.size(); ++i) {
    for (std::size_t j = i + 1; j < kAllOrderStatuses.size(); ++j) {
      CHECK(ToString(kAllOrderStatuses[i]) != ToString(kAllOrderStatuses[j]));
    }
  }
  CHECK(kAllOrderStatuses.size() == 6);
}

TEST_CASE("text that is not exactly a status's wire name does not parse", "[orders][domain]") {
  const std::string text = GENERATE(as<std::string>{}, "", "created", "Created", " CREATED",
                                    "CREATED ", "IN TRANSIT", "INTRANSIT", "CANCELED", "SHIPPED");
  CAPTURE(text);
  CHECK_FALSE(ParseOrderStatus(text).has_value());
}

TEST_CASE("every order event has its stable name", "[orders][domain]") {
  struct Row {
    OrderEventType type;
    const char* name;
  };
  const auto row = GENERATE(values<Row>({
      {OrderEventType::kCreated, "created"},
      {OrderEventType::kAssigned, "assigned"},
      {OrderEventType::kPaid, "paid"},
      {OrderEventType::kDispatched, "dispatched"},
      {OrderEventType::kDelivered, "delivered"},
      {OrderEventType::kCancelled, "cancelled"},
  }));
  CHECK(EventName(row.type) == row.name);
}
