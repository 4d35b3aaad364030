// The OrderStore contract (order_store.hpp, order_repository.hpp,
// order_unit_of_work.hpp), run against every adapter: the in-memory fake that
// the use case tests trust, and SQLite. A new storage engine adds its backend
// to the TEMPLATE_TEST_CASE lists and must pass every case unchanged.
#include <catch2/catch.hpp>
#include <string>
#include <variant>
#include <vector>

#include "contract/scratch_database.hpp"
#include "logistics/messaging/sqlite_outbox.hpp"
#include "logistics/orders/infrastructure/orders_schema.hpp"
#include "logistics/orders/infrastructure/sqlite_order_store.hpp"
#include "support/fakes/in_memory_orders.hpp"
#include "support/fakes/sequential_id_generator.hpp"

namespace {

namespace application = logistics::orders::application;
namespace domain = logistics::orders::domain;
using logistics::common::FromUnixMillis;

// Each backend gives the store and counts the events it has saved.
struct InMemoryBackend {
  logistics::testing::InMemoryOrderStore store;
  std::size_t EventsSaved() { return store.unit_of_work().saved_events.size(); }
};

struct SqliteBackend {
  logistics::testing::ScratchDatabase database{
      {{"outbox", logistics::messaging::SqliteOutbox::Migrations()},
       {"orders", logistics::orders::infrastructure::OrdersMigrations()}}};
  logistics::testing::SequentialIdGenerator event_ids{9};
  logistics::orders::infrastructure::SqliteOrderStore store{
      database.db(), event_ids, {"contract-correlation", "contract-cause", {}, {}}};
  std::size_t EventsSaved() { return static_cast<std::size_t>(database.Rows("outbox")); }
};

const auto kNow = FromUnixMillis(1'795'599'000'123);

std::string IdAt(int n) { return logistics::testing::SequentialIdGenerator::IdAt(n, 1); }

domain::Order NewOrder(int n, const std::string& customer = "Ana") {
  auto order = domain::Order::Create(
      IdAt(n), domain::NewOrder{"TRK-" + std::to_string(n), customer, "Madrid", "Lisbon", {}},
      kNow);
  REQUIRE(order.has_value());
  return std::move(*order);
}

template <typename Backend>
void MustSave(Backend& backend, domain::Order& order) {
  REQUIRE(backend.store.unit_of_work().Save(order, order.TakeEvents()).has_value());
}

template <typename Backend>
domain::Order MustFind(Backend& backend, const std::string& order_id) {
  auto found = backend.store.orders().FindById(order_id);
  REQUIRE((found.has_value() && found->has_value()));
  return std::move(**found);
}

domain::OrderError RejectionOf(const application::OrderFailure& failure) {
  REQUIRE(std::holds_alternative<domain::OrderRejection>(failure));
  return std::get<domain::OrderRejection>(failure).error;
}

std::vector<std::string> IdsOf(const application::OrderPage& page) {
  std::vector<std::string> ids;
  for (const auto& order : page.items) ids.push_back(order.order_id);
  return ids;
}

}  // namespace

TEMPLATE_TEST_CASE("a saved order reads back as it was saved, by id and by tracking number",
                   "[orders][contract]", InMemoryBackend, SqliteBackend) {
  TestType backend;
  domain::Order order = NewOrder(1);
  MustSave(backend, order);

  CHECK(MustFind(backend, IdAt(1)).snapshot() == order.snapshot());
  auto by_tracking = backend.store.orders().FindByTrackingNumber("TRK-1");
  REQUIRE((by_tracking.has_value() && by_tracking->has_value()));
  CHECK((*by_tracking)->snapshot() == order.snapshot());
  CHECK(backend.EventsSaved() == 1);
}

TEMPLATE_TEST_CASE("an order nobody saved is absent, not a failure", "[orders][contract]",
                   InMemoryBackend, SqliteBackend) {
  TestType backend;
  auto by_id = backend.store.orders().FindById(IdAt(7));
  REQUIRE(by_id.has_value());
  CHECK_FALSE(by_id->has_value());
  auto by_tracking = backend.store.orders().FindByTrackingNumber("TRK-7");
  REQUIRE(by_tracking.has_value());
  CHECK_FALSE(by_tracking->has_value());
}

TEMPLATE_TEST_CASE("a change saved from the stored version is kept with its events",
                   "[orders][contract]", InMemoryBackend, SqliteBackend) {
  TestType backend;
  domain::Order created = NewOrder(1);
  MustSave(backend, created);
  domain::Order order = MustFind(backend, IdAt(1));
  REQUIRE(order.AssignDriver("driver-7", kNow).has_value());
  MustSave(backend, order);

  const domain::OrderSnapshot stored = MustFind(backend, IdAt(1)).snapshot();
  CHECK(stored == order.snapshot());
  CHECK(stored.version == 2);
  CHECK(stored.driver_id == "driver-7");
  CHECK(backend.EventsSaved() == 2);
}

TEMPLATE_TEST_CASE("a change made to a stale copy is a concurrent modification and saves nothing",
                   "[orders][contract]", InMemoryBackend, SqliteBackend) {
  TestType backend;
  domain::Order created = NewOrder(1);
  MustSave(backend, created);
  domain::Order first = MustFind(backend, IdAt(1));
  domain::Order second = MustFind(backend, IdAt(1));
  REQUIRE(first.AssignDriver("driver-a", kNow).has_value());
  REQUIRE(second.Cancel(std::nullopt, kNow).has_value());
  MustSave(backend, first);

  auto saved = backend.store.unit_of_work().Save(second, second.TakeEvents());
  REQUIRE_FALSE(saved.has_value());
  CHECK(RejectionOf(saved.error()) == domain::OrderError::kConcurrentModification);
  CHECK(MustFind(backend, IdAt(1)).snapshot() == first.snapshot());
  CHECK(backend.EventsSaved() == 2);
}

TEMPLATE_TEST_CASE("a tracking number belongs to one order", "[orders][contract]",
                   InMemoryBackend, SqliteBackend) {
  TestType backend;
  domain::Order first = NewOrder(1);
  MustSave(backend, first);
  auto copy = domain::Order::Create(
      IdAt(2), domain::NewOrder{"TRK-1", "Bea", "Porto", "Faro", {}}, kNow);
  REQUIRE(copy.has_value());

  auto saved = backend.store.unit_of_work().Save(*copy, copy->TakeEvents());
  REQUIRE_FALSE(saved.has_value());
  CHECK(RejectionOf(saved.error()) == domain::OrderError::kDuplicateTrackingNumber);
  auto second = backend.store.orders().FindById(IdAt(2));
  REQUIRE(second.has_value());
  CHECK_FALSE(second->has_value());
  CHECK(backend.EventsSaved() == 1);
}

TEMPLATE_TEST_CASE("creating an order whose id is stored is a concurrent modification",
                   "[orders][contract]", InMemoryBackend, SqliteBackend) {
  TestType backend;
  domain::Order first = NewOrder(1);
  MustSave(backend, first);
  auto again = domain::Order::Create(
      IdAt(1), domain::NewOrder{"TRK-other", "Bea", "Porto", "Faro", {}}, kNow);
  REQUIRE(again.has_value());

  auto saved = backend.store.unit_of_work().Save(*again, again->TakeEvents());
  REQUIRE_FALSE(saved.has_value());
  CHECK(RejectionOf(saved.error()) == domain::OrderError::kConcurrentModification);
  CHECK(MustFind(backend, IdAt(1)).snapshot().tracking_number == "TRK-1");
}

TEMPLATE_TEST_CASE("orders are listed newest first, filtered, a page at a time",
                   "[orders][contract]", InMemoryBackend, SqliteBackend) {
  TestType backend;
  for (int n = 1; n <= 5; ++n) {
    domain::Order order = NewOrder(n, n % 2 == 0 ? "Bea" : "Ana");
    MustSave(backend, order);
  }
  domain::Order cancelled = MustFind(backend, IdAt(3));
  REQUIRE(cancelled.Cancel(std::string("changed mind"), kNow).has_value());
  MustSave(backend, cancelled);

  application::OrderListQuery everything;
  auto all = backend.store.orders().List(everything);
  REQUIRE(all.has_value());
  CHECK(IdsOf(*all) == std::vector<std::string>{IdAt(5), IdAt(4), IdAt(3), IdAt(2), IdAt(1)});
  CHECK_FALSE(all->has_more);

  application::OrderListQuery first_page;
  first_page.limit = 2;
  auto page = backend.store.orders().List(first_page);
  REQUIRE(page.has_value());
  CHECK(IdsOf(*page) == std::vector<std::string>{IdAt(5), IdAt(4)});
  CHECK(page->has_more);

  application::OrderListQuery next_page;
  next_page.limit = 2;
  next_page.before = IdAt(4);
  auto next = backend.store.orders().List(next_page);
  REQUIRE(next.has_value());
  CHECK(IdsOf(*next) == std::vector<std::string>{IdAt(3), IdAt(2)});

  application::OrderListQuery anas;
  anas.customer_name = "Ana";
  anas.status = domain::OrderStatus::kCreated;
  auto filtered = backend.store.orders().List(anas);
  REQUIRE(filtered.has_value());
  CHECK(IdsOf(*filtered) == std::vector<std::string>{IdAt(5), IdAt(1)});
}
