// The payments fakes fail on request, once. That they honour the ports'
// contracts is checked alongside SQLite in
// tests/contract/payment_store_contract_test.cpp.
#include "support/fakes/in_memory_payments.hpp"

#include <catch2/catch.hpp>
#include <utility>

#include "logistics/common/time.hpp"
#include "support/storage_fails_once.hpp"

namespace {

using namespace logistics::payments::domain;
using namespace logistics::testing;

const auto kNow = logistics::common::FromUnixMillis(1'795'599'000'123);

}  // namespace

TEST_CASE("a requested payments storage failure happens once", "[payments][application][fakes]") {
  auto amount = Money::Parse("10");
  REQUIRE(amount.has_value());
  auto payment = Payment::Register("id-1", "order-1", *amount, Currency::Default(), kNow);
  REQUIRE(payment.has_value());
  const auto found = CheckStorageFailsOnce<InMemoryPaymentRepository, InMemoryPaymentUnitOfWork>(
      std::move(*payment),
      [](InMemoryPaymentRepository& payments) { return payments.FindByOrder("order-1"); });
  CHECK(found.size() == 1);

  InMemoryOrderProjection projection;
  projection.FailNextCall("locked");
  auto recorded = projection.Record(OrderView{"order-1", "CREATED", 1});
  REQUIRE_FALSE(recorded.has_value());
  CHECK(projection.size() == 0);
  auto retried = projection.Record(OrderView{"order-1", "CREATED", 1});
  REQUIRE(retried.has_value());
  CHECK(*retried);
}
