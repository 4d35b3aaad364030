#include <catch2/catch.hpp>
#include <string>

#include "logistics/common/time.hpp"
#include "logistics/orders/domain/order.hpp"
#include "support/text_rows.hpp"

namespace {

using namespace logistics::orders::domain;
using logistics::common::FromUnixMillis;
using logistics::common::Timestamp;
using logistics::testing::Repeat;

const Timestamp kNow = FromUnixMillis(1'795'599'000'123);  // 2026-11-25T09:30:00.123Z
const std::string kOrderId = "01936d4b-7c1e-7a2b-8c3d-4e5f60718293";
const std::string kEAcute = "\xC3\xA9";  // "é": one character, two bytes

NewOrder ValidFields() {
  return NewOrder{"TRK-0001", "Ana Pérez", "Madrid", "Lisboa", "ana@example.com"};
}

// Creates an order from ValidFields() changed by `edit`.
template <typename Edit>
auto CreateWith(Edit edit) {
  NewOrder fields = ValidFields();
  edit(fields);
  return Order::Create(kOrderId, std::move(fields), kNow);
}

}  // namespace

TEST_CASE("a new order is CREATED at version 1 with the fields it was given", "[orders][domain]") {
  auto order = Order::Create(kOrderId, ValidFields(), kNow);
  REQUIRE(order.has_value());
  const auto& snapshot = order->snapshot();
  CHECK(snapshot.order_id == kOrderId);
  CHECK(order->id() == kOrderId);
  CHECK(snapshot.tracking_number == "TRK-0001");
  CHECK(snapshot.customer_name == "Ana Pérez");
  CHECK(snapshot.customer_email == "ana@example.com");
  CHECK(snapshot.origin == "Madrid");
  CHECK(snapshot.destination == "Lisboa");
  CHECK(snapshot.status == OrderStatus::kCreated);
  CHECK(order->status() == OrderStatus::kCreated);
  CHECK_FALSE(snapshot.driver_id.has_value());
  CHECK_FALSE(snapshot.cancellation_reason.has_value());
  CHECK(snapshot.created_at == kNow);
  CHECK(snapshot.updated_at == kNow);
  CHECK(snapshot.version == 1);
  CHECK(order->version() == 1);
}

TEST_CASE("a new order records exactly one created event carrying the new order",
          "[orders][domain]") {
  auto order = Order::Create(kOrderId, ValidFields(), kNow);
  REQUIRE(order.has_value());
  const auto events = order->TakeEvents();
  REQUIRE(events.size() == 1);
  CHECK(events[0].type == OrderEventType::kCreated);
  CHECK(events[0].order == order->snapshot());
  CHECK_FALSE(events[0].reason.has_value());
  CHECK_FALSE(events[0].payment_id.has_value());

  AND_THEN("taking the events again gives nothing") { CHECK(order->TakeEvents().empty()); }
}

TEST_CASE("an order may be created without a customer e-mail", "[orders][domain]") {
  auto order = CreateWith([](NewOrder& f) { f.customer_email.reset(); });
  REQUIRE(order.has_value());
  CHECK_FALSE(order->snapshot().customer_email.has_value());
}

TEST_CASE("a restored order is exactly the stored snapshot and records nothing",
          "[orders][domain]") {
  auto created = Order::Create(kOrderId, ValidFields(), kNow);
  REQUIRE(created.has_value());
  auto snapshot = created->snapshot();
  snapshot.status = OrderStatus::kPaid;
  snapshot.driver_id = "driver-7";
  snapshot.version = 9;

  auto restored = Order::Restore(snapshot);
  CHECK(restored.snapshot() == snapshot);
  CHECK(restored.TakeEvents().empty());
}

TEST_CASE("required text fields must not be empty or blank", "[orders][domain]") {
  struct Row {
    const char* field;
    std::string NewOrder::*member;
    OrderError error;
  };
  const auto row = GENERATE(values<Row>({
      {"tracking_number", &NewOrder::tracking_number, OrderError::kTrackingNumberEmpty},
      {"customer_name", &NewOrder::customer_name, OrderError::kCustomerNameEmpty},
      {"origin", &NewOrder::origin, OrderError::kOriginEmpty},
      {"destination", &NewOrder::destination, OrderError::kDestinationEmpty},
  }));
  const std::string value = GENERATE(as<std::string>{}, "", " ", "   ", "\t", " \r\n ");
  CAPTURE(row.field, value);

  auto order = CreateWith([&](NewOrder& f) { f.*row.member = value; });
  REQUIRE_FALSE(order.has_value());
  CHECK(order.error().error == row.error);
  CHECK(order.error().message == std::string(row.field) + " must not be empty or blank");
}

TEST_CASE("text fields are limited in characters, not bytes", "[orders][domain]") {
  struct Row {
    const char* field;
    std::string NewOrder::*member;
    std::size_t limit;
    OrderError error;
  };
  const auto row = GENERATE(values<Row>({
      {"tracking_number", &NewOrder::tracking_number, 100, OrderError::kTrackingNumberTooLong},
      {"customer_name", &NewOrder::customer_name, 255, OrderError::kCustomerNameTooLong},
      {"origin", &NewOrder::origin, 255, OrderError::kOriginTooLong},
      {"destination", &NewOrder::destination, 255, OrderError::kDestinationTooLong},
  }));
  // One, two and four bytes a character.
  const std::string letter = GENERATE(as<std::string>{}, "q", "\xC3\xA9", "\xF0\x9F\x9A\x9A");
  CAPTURE(row.field, row.limit, letter.size());

  SECTION("exactly at the limit is accepted") {
    auto order = CreateWith([&](NewOrder& f) { f.*row.member = Repeat(letter, row.limit); });
    REQUIRE(order.has_value());
  }
  SECTION("one character over the limit is rejected, saying the limit and the length") {
    auto order = CreateWith([&](NewOrder& f) { f.*row.member = Repeat(letter, row.limit + 1); });
    REQUIRE_FALSE(order.has_value());
    CHECK(order.error().error == row.error);
    CHECK(order.error().message == std::string(row.field) + " must be at most " +
                                       std::to_string(row.limit) + " characters (got " +
                                       std::to_string(row.limit + 1) + ")");
  }
}

TEST_CASE("255 accented letters are a valid place although they take 510 bytes",
          "[orders][domain]") {
  auto order = CreateWith([](NewOrder& f) {
    f.origin = Repeat(kEAcute, 255);
    f.destination = Repeat(kEAcute, 254) + "e";
  });
  REQUIRE(order.has_value());
  CHECK(order->snapshot().origin.size() == 510);
}

TEST_CASE("the tracking number limit message reports the length in characters",
          "[orders][domain]") {
  auto order = CreateWith([](NewOrder& f) { f.tracking_number = std::string(101, '7'); });
  REQUIRE_FALSE(order.has_value());
  CHECK(Code(order.error().error) == "TRACKING_NUMBER_TOO_LONG");
  CHECK(order.error().message == "tracking_number must be at most 100 characters (got 101)");
}

TEST_CASE("origin and destination must be different places", "[orders][domain]") {
  struct Row {
    const char* origin;
    const char* destination;
    bool same_place;
  };
  const auto row = GENERATE(values<Row>({
      {"Madrid", "Madrid", true},
      {"Madrid", "madrid", true},  // ASCII case does not make another place
      {"MADRID", "madrid", true},
      {"São Paulo", "SãO PAULO", true},  // ASCII letters fold around a non-ASCII one
      {"Madrid", "Madrid ", false},      // compared as typed, not trimmed
      {"Madrid", "Madrids", false},
      {"Madrid", "Lisboa", false},
      {"\xC5\x81\xC3\xB3\x64\xC5\xBA", "\xC5\x82\xC3\xB3\x64\xC5\xBA",
       false},  // Łódź / łódź:
                // no Unicode folding
  }));
  CAPTURE(row.origin, row.destination);
  auto order = CreateWith([&](NewOrder& f) {
    f.origin = row.origin;
    f.destination = row.destination;
  });
  if (row.same_place) {
    REQUIRE_FALSE(order.has_value());
    CHECK(order.error().error == OrderError::kSameOriginAndDestination);
    CHECK(order.error().message == std::string("origin and destination must be different places "
                                               "(origin '") +
                                       row.origin + "', destination '" + row.destination + "')");
  } else {
    CHECK(order.has_value());
  }
}

TEST_CASE("a customer e-mail is checked for the slips people make", "[orders][domain]") {
  struct Row {
    std::string email;
    bool accepted;
  };
  const auto row = GENERATE_COPY(values<Row>({
      {"ana@example.com", true},
      {"a@b", true},
      {"first.last+tag@sub.example.co.uk", true},
      {"\xC3\xB1\x61ndu@ejemplo.es", true},                         // non-ASCII local part
      {std::string(64, 'a') + "@" + std::string(189, 'b'), true},   // 254 characters
      {std::string(64, 'a') + "@" + std::string(190, 'b'), false},  // 255 characters
      {"", false},
      {"ana.example.com", false},  // no '@'
      {"@example.com", false},     // empty local part
      {"ana@", false},             // empty domain
      {"@", false},
      {"ana@ex@ample.com", false},  // two '@'
      {"ana @example.com", false},  // space
      {" ana@example.com", false},
      {"ana@example.com ", false},
      {"ana@exa\tmple.com", false},                   // tab
      {"ana@example.com\n", false},                   // newline
      {std::string("ana@exa\0mple.com", 16), false},  // NUL
      {"ana@exa\x7Fmple.com", false},                 // DEL
      {"ana@exa\xC2\x85mple.com", false},             // U+0085 next line (C1 control)
      {"ana\xC2\xA0@example.com", false},             // U+00A0 no-break space
      {"ana@exa\xC3mple.com", false},                 // ill-formed UTF-8
  }));
  CAPTURE(row.email);
  auto order = CreateWith([&](NewOrder& f) { f.customer_email = row.email; });
  if (row.accepted) {
    REQUIRE(order.has_value());
    CHECK(order->snapshot().customer_email == row.email);
  } else {
    REQUIRE_FALSE(order.has_value());
    CHECK(order.error().error == OrderError::kCustomerEmailInvalid);
    CHECK_THAT(order.error().message,
               Catch::StartsWith("customer_email is not a valid e-mail address: "));
  }
}

TEST_CASE("the e-mail message says what is wrong with the address", "[orders][domain]") {
  struct Row {
    const char* email;
    const char* why;
  };
  const auto row = GENERATE(values<Row>({
      {"ana.example.com", "it must contain exactly one '@'"},
      {"@example.com", "the part before '@' is empty"},
      {"ana@", "the part after '@' is empty"},
      {"ana @example.com", "it must not contain spaces or control characters"},
  }));
  auto order = CreateWith([&](NewOrder& f) { f.customer_email = row.email; });
  REQUIRE_FALSE(order.has_value());
  CHECK(order.error().message ==
        std::string("customer_email is not a valid e-mail address: ") + row.why);
}

TEST_CASE("creation reports the first broken rule in field order", "[orders][domain]") {
  NewOrder everything_wrong{"", "", "", "", "not an e-mail"};
  struct Step {
    std::string NewOrder::*fix;
    const char* fixed_value;
    OrderError next_error;
  };
  // Fixing the reported field each time walks through the rules in order.
  const Step steps[] = {
      {&NewOrder::tracking_number, "TRK-1", OrderError::kCustomerNameEmpty},
      {&NewOrder::customer_name, "Ana", OrderError::kOriginEmpty},
      {&NewOrder::origin, "Madrid", OrderError::kDestinationEmpty},
      {&NewOrder::destination, "madrid", OrderError::kSameOriginAndDestination},
      {&NewOrder::destination, "Lisboa", OrderError::kCustomerEmailInvalid},
  };
  auto first = Order::Create(kOrderId, everything_wrong, kNow);
  REQUIRE_FALSE(first.has_value());
  CHECK(first.error().error == OrderError::kTrackingNumberEmpty);
  for (const Step& step : steps) {
    everything_wrong.*step.fix = step.fixed_value;
    auto next = Order::Create(kOrderId, everything_wrong, kNow);
    REQUIRE_FALSE(next.has_value());
    CHECK(Code(next.error().error) == Code(step.next_error));
  }
  everything_wrong.customer_email = "ana@example.com";
  CHECK(Order::Create(kOrderId, everything_wrong, kNow).has_value());
}
