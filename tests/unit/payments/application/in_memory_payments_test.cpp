// The payments fakes honour the contracts of the ports they stand in for, so
// that use case tests built on them mean what they say.
#include "support/fakes/in_memory_payments.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <variant>

#include "logistics/common/time.hpp"

namespace {

using logistics::common::FromUnixMillis;
using logistics::common::PortError;
using logistics::payments::application::PaymentFailure;
using logistics::payments::domain::Currency;
using logistics::payments::domain::Money;
using logistics::payments::domain::OrderView;
using logistics::payments::domain::Payment;
using logistics::payments::domain::PaymentError;
using logistics::payments::domain::PaymentRejection;
using logistics::testing::InMemoryOrderProjection;
using logistics::testing::InMemoryPaymentRepository;
using logistics::testing::InMemoryPaymentUnitOfWork;

const auto kNow = FromUnixMillis(1'795'599'000'123);

Payment NewPayment(const std::string& id, const std::string& order_id) {
  auto amount = Money::Parse("10");
  REQUIRE(amount.has_value());
  auto payment = Payment::Register(id, order_id, *amount, Currency::Default(), kNow);
  REQUIRE(payment.has_value());
  return std::move(*payment);
}

PaymentError ErrorOf(const PaymentFailure& failure) {
  REQUIRE(std::holds_alternative<PaymentRejection>(failure));
  return std::get<PaymentRejection>(failure).error;
}

}  // namespace

SCENARIO("the in-memory payment unit of work refuses a change made to a stale copy",
         "[payments][application][fakes]") {
  InMemoryPaymentRepository payments;
  InMemoryPaymentUnitOfWork unit_of_work(payments);
  Payment payment = NewPayment("id-1", "order-1");
  REQUIRE(unit_of_work.Save(payment, payment.TakeEvents()).has_value());

  GIVEN("two copies of the stored payment") {
    auto first = payments.FindById("id-1");
    auto second = payments.FindById("id-1");
    REQUIRE((first.has_value() && *first && second.has_value() && *second));
    Payment a = std::move(**first);
    Payment b = std::move(**second);

    WHEN("both change it and the first saves") {
      REQUIRE(a.Confirm(kNow).has_value());
      REQUIRE(b.Fail("declined", kNow).has_value());
      REQUIRE(unit_of_work.Save(a, a.TakeEvents()).has_value());

      THEN("the second save is a concurrent modification and stores nothing") {
        auto saved = unit_of_work.Save(b, b.TakeEvents());
        REQUIRE_FALSE(saved.has_value());
        CHECK(ErrorOf(saved.error()) == PaymentError::kConcurrentModification);
        CHECK(payments.Stored("id-1") == a.snapshot());
        CHECK(unit_of_work.saved_events.size() == 2);
      }
    }
  }
}

TEST_CASE("the in-memory payment unit of work refuses to insert an id twice",
          "[payments][application][fakes]") {
  InMemoryPaymentRepository payments;
  InMemoryPaymentUnitOfWork unit_of_work(payments);
  Payment first = NewPayment("id-1", "order-1");
  REQUIRE(unit_of_work.Save(first, first.TakeEvents()).has_value());

  Payment again = NewPayment("id-1", "order-2");
  auto saved = unit_of_work.Save(again, again.TakeEvents());
  REQUIRE_FALSE(saved.has_value());
  CHECK(ErrorOf(saved.error()) == PaymentError::kConcurrentModification);
  CHECK(payments.Stored("id-1")->order_id == "order-1");
}

TEST_CASE("the in-memory payment repository finds an order's payments oldest first",
          "[payments][application][fakes]") {
  InMemoryPaymentRepository payments;
  InMemoryPaymentUnitOfWork unit_of_work(payments);
  for (const char* id : {"id-3", "id-1", "id-2"}) {
    Payment payment = NewPayment(id, std::string(id) == "id-2" ? "order-2" : "order-1");
    REQUIRE(unit_of_work.Save(payment, payment.TakeEvents()).has_value());
  }
  auto found = payments.FindByOrder("order-1");
  REQUIRE(found.has_value());
  REQUIRE(found->size() == 2);
  CHECK((*found)[0].id() == "id-1");
  CHECK((*found)[1].id() == "id-3");
  auto none = payments.FindByOrder("order-9");
  REQUIRE(none.has_value());
  CHECK(none->empty());
}

TEST_CASE("a requested payments storage failure happens once", "[payments][application][fakes]") {
  InMemoryPaymentRepository payments;
  InMemoryPaymentUnitOfWork unit_of_work(payments);
  Payment payment = NewPayment("id-1", "order-1");
  const auto events = payment.TakeEvents();

  unit_of_work.FailNextSave("disk full");
  auto failed = unit_of_work.Save(payment, events);
  REQUIRE_FALSE(failed.has_value());
  CHECK(std::get<PortError>(failed.error()).message == "disk full");
  CHECK(payments.size() == 0);
  CHECK(unit_of_work.saved_events.empty());
  CHECK(unit_of_work.Save(payment, events).has_value());
  CHECK(unit_of_work.save_calls() == 2);

  payments.FailNextRead("locked");
  auto read = payments.FindByOrder("order-1");
  REQUIRE_FALSE(read.has_value());
  CHECK(std::get<PortError>(read.error()).message == "locked");
  auto again = payments.FindByOrder("order-1");
  REQUIRE(again.has_value());
  CHECK(again->size() == 1);
  CHECK(payments.reads() == 2);

  InMemoryOrderProjection projection;
  projection.FailNextCall("locked");
  auto recorded = projection.Record(OrderView{"order-1", "CREATED", 1});
  REQUIRE_FALSE(recorded.has_value());
  CHECK(projection.size() == 0);
  auto retried = projection.Record(OrderView{"order-1", "CREATED", 1});
  REQUIRE(retried.has_value());
  CHECK(*retried);
}

TEST_CASE("the in-memory order projection keeps the newest view of each order",
          "[payments][application][fakes]") {
  InMemoryOrderProjection projection;
  auto first = projection.Record(OrderView{"order-1", "CREATED", 1});
  auto newer = projection.Record(OrderView{"order-1", "PAID", 3});
  auto older = projection.Record(OrderView{"order-1", "ASSIGNED", 2});
  auto same = projection.Record(OrderView{"order-1", "CANCELLED", 3});
  auto other = projection.Record(OrderView{"order-2", "CREATED", 1});
  REQUIRE((first.has_value() && newer.has_value() && older.has_value() && same.has_value() &&
           other.has_value()));
  CHECK(*first);
  CHECK(*newer);
  CHECK_FALSE(*older);
  CHECK_FALSE(*same);
  CHECK(*other);

  auto found = projection.Find("order-1");
  REQUIRE(found.has_value());
  CHECK(*found == OrderView{"order-1", "PAID", 3});
  auto missing = projection.Find("order-9");
  REQUIRE(missing.has_value());
  CHECK_FALSE(missing->has_value());
  CHECK(projection.applied_records() == 3);
  CHECK(projection.record_calls() == 5);
}
