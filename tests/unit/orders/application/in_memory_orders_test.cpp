// What only the orders fakes do: fail on request, and hand out ids and times
// a test can predict. That they honour the ports' contracts is checked with
// SQLite's adapters in tests/contract/order_store_contract_test.cpp.
#include "support/fakes/in_memory_orders.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <set>
#include <string>
#include <utility>

#include "logistics/common/uuid.hpp"
#include "support/fakes/fixed_clock.hpp"
#include "support/fakes/sequential_id_generator.hpp"
#include "support/storage_fails_once.hpp"

namespace {

using namespace logistics::orders::domain;
using namespace logistics::testing;
using logistics::common::FromUnixMillis;

const auto kNow = FromUnixMillis(1'795'599'000'123);

}  // namespace

TEST_CASE("a requested storage failure happens once", "[orders][application][fakes]") {
  auto order = Order::Create("id-1", NewOrder{"TRK-1", "Ana", "Madrid", "Lisboa", {}}, kNow);
  REQUIRE(order.has_value());
  const auto found = CheckStorageFailsOnce<InMemoryOrderRepository, InMemoryOrderUnitOfWork>(
      std::move(*order), [](InMemoryOrderRepository& orders) { return orders.FindById("id-1"); });
  CHECK(found.has_value());
}

TEST_CASE("sequential ids are distinct UUIDv7s in increasing order", "[fakes]") {
  SequentialIdGenerator ids;
  SequentialIdGenerator other_stream(1);
  std::set<std::string> seen;
  std::string previous;
  for (int i = 1; i <= 300; ++i) {
    const std::string id = ids.NextId();
    CAPTURE(id);
    CHECK(logistics::common::IsUuidV7(id));
    CHECK(id == SequentialIdGenerator::IdAt(static_cast<std::uint64_t>(i)));
    CHECK(previous < id);
    previous = id;
    seen.insert(id);
    seen.insert(other_stream.NextId());
  }
  CHECK(seen.size() == 600);
  CHECK(ids.issued() == 300);
}

TEST_CASE("a fixed clock moves only when told to", "[fakes]") {
  FixedClock clock(kNow);
  CHECK(clock.Now() == kNow);
  CHECK(clock.Now() == kNow);
  CHECK(clock.Advance(std::chrono::seconds(2)) == kNow + std::chrono::seconds(2));
  CHECK(clock.Now() == kNow + std::chrono::seconds(2));
  clock.Set(kNow - std::chrono::hours(1));
  CHECK(clock.Now() == kNow - std::chrono::hours(1));
  CHECK(FixedClock().Now() == FromUnixMillis(FixedClock::kDefaultStartMillis));
  CHECK(logistics::common::FormatRfc3339(FixedClock().Now()) == "2026-01-01T00:00:00.000Z");
}
