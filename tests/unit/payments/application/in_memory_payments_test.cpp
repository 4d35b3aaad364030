// The payments fakes fail on request, once. That they honour the ports'
// contracts is checked alongside SQLite in
// tests/contract/payment_store_contract_test.cpp.
#include "support/fakes/in_memory_payments.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <variant>

#include "logistics/common/time.hpp"

namespace {

using logistics::common::FromUnixMillis;
using logistics::common::PortError;
using logistics::payments::domain::Currency;
using logistics::payments::domain::Money;
using logistics::payments::domain::OrderView;
using logistics::payments::domain::Payment;
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

}  // namespace

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

