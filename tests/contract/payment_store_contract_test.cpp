// The PaymentStore contract (payment_store.hpp and the three ports it gives),
// run against every adapter: the in-memory fake that the use case tests
// trust, and SQLite. A new storage engine adds its backend to the lists and
// must pass every case unchanged.
#include <catch2/catch.hpp>
#include <string>
#include <variant>
#include <vector>

#include "contract/scratch_database.hpp"
#include "logistics/messaging/sqlite_outbox.hpp"
#include "logistics/payments/infrastructure/payments_schema.hpp"
#include "logistics/payments/infrastructure/sqlite_payment_store.hpp"
#include "support/fakes/fixed_clock.hpp"
#include "support/fakes/in_memory_payments.hpp"
#include "support/fakes/sequential_id_generator.hpp"

namespace {

namespace application = logistics::payments::application;
namespace domain = logistics::payments::domain;
using logistics::testing::SequentialIdGenerator;

struct InMemoryBackend {
  logistics::testing::InMemoryPaymentStore store;
  std::size_t EventsSaved() { return store.unit_of_work().saved_events.size(); }
};

struct SqliteBackend {
  logistics::testing::ScratchDatabase database{
      {{"outbox", logistics::messaging::SqliteOutbox::Migrations()},
       {"payments", logistics::payments::infrastructure::PaymentsMigrations()}}};
  SequentialIdGenerator event_ids{9};
  logistics::testing::FixedClock clock;
  logistics::payments::infrastructure::SqlitePaymentStore store{
      database.db(), event_ids, clock, {"contract-correlation", "contract-cause", {}, {}}};
  std::size_t EventsSaved() { return static_cast<std::size_t>(database.Rows("outbox")); }
};

const auto kNow = logistics::common::FromUnixMillis(1'795'599'000'123);
const std::string kOrder = SequentialIdGenerator::IdAt(1, 1);
const std::string kOtherOrder = SequentialIdGenerator::IdAt(2, 1);

std::string PaymentAt(int n) { return SequentialIdGenerator::IdAt(n); }

domain::Payment NewPayment(int n, const std::string& order_id) {
  auto amount = domain::Money::Parse(std::to_string(n) + ".25");
  REQUIRE(amount.has_value());
  auto payment =
      domain::Payment::Register(PaymentAt(n), order_id, *amount, domain::Currency::Default(), kNow);
  REQUIRE(payment.has_value());
  return std::move(*payment);
}

template <typename Backend>
void MustSave(Backend& backend, domain::Payment& payment) {
  REQUIRE(backend.store.unit_of_work().Save(payment, payment.TakeEvents()).has_value());
}

template <typename Backend>
domain::Payment MustFind(Backend& backend, const std::string& payment_id) {
  auto found = backend.store.payments().FindById(payment_id);
  REQUIRE((found.has_value() && found->has_value()));
  return std::move(**found);
}

std::vector<std::string> IdsOf(const std::vector<domain::PaymentSnapshot>& payments) {
  std::vector<std::string> ids;
  for (const auto& payment : payments) ids.push_back(payment.payment_id);
  return ids;
}

}  // namespace

TEMPLATE_TEST_CASE("a saved payment reads back as it was saved, with its event",
                   "[payments][contract]", InMemoryBackend, SqliteBackend) {
  TestType backend;
  domain::Payment payment = NewPayment(1, kOrder);
  MustSave(backend, payment);

  CHECK(MustFind(backend, PaymentAt(1)).snapshot() == payment.snapshot());
  CHECK(backend.EventsSaved() == 1);
  auto absent = backend.store.payments().FindById(PaymentAt(2));
  REQUIRE(absent.has_value());
  CHECK_FALSE(absent->has_value());
}

TEMPLATE_TEST_CASE("a payment changes only from the version it was read at",
                   "[payments][contract]", InMemoryBackend, SqliteBackend) {
  TestType backend;
  domain::Payment created = NewPayment(1, kOrder);
  MustSave(backend, created);
  domain::Payment confirmed = MustFind(backend, PaymentAt(1));
  domain::Payment stale = MustFind(backend, PaymentAt(1));
  REQUIRE(confirmed.Confirm(kNow).has_value());
  MustSave(backend, confirmed);
  REQUIRE(stale.Fail("card declined", kNow).has_value());

  auto saved = backend.store.unit_of_work().Save(stale, stale.TakeEvents());
  REQUIRE_FALSE(saved.has_value());
  REQUIRE(std::holds_alternative<domain::PaymentRejection>(saved.error()));
  CHECK(std::get<domain::PaymentRejection>(saved.error()).error ==
        domain::PaymentError::kConcurrentModification);
  CHECK(MustFind(backend, PaymentAt(1)).snapshot() == confirmed.snapshot());
  CHECK(backend.EventsSaved() == 2);

  domain::Payment again = NewPayment(1, kOtherOrder);
  auto inserted = backend.store.unit_of_work().Save(again, again.TakeEvents());
  REQUIRE_FALSE(inserted.has_value());
  REQUIRE(std::holds_alternative<domain::PaymentRejection>(inserted.error()));
  CHECK(std::get<domain::PaymentRejection>(inserted.error()).error ==
        domain::PaymentError::kConcurrentModification);
}

TEMPLATE_TEST_CASE("an order's payments come oldest first; a list comes newest first, filtered",
                   "[payments][contract]", InMemoryBackend, SqliteBackend) {
  TestType backend;
  for (int n = 1; n <= 5; ++n) {
    domain::Payment payment = NewPayment(n, n % 2 == 1 ? kOrder : kOtherOrder);
    MustSave(backend, payment);
  }
  domain::Payment confirmed = MustFind(backend, PaymentAt(3));
  REQUIRE(confirmed.Confirm(kNow).has_value());
  MustSave(backend, confirmed);

  auto of_order = backend.store.payments().FindByOrder(kOrder);
  REQUIRE(of_order.has_value());
  std::vector<std::string> ids;
  for (const auto& payment : *of_order) ids.push_back(payment.snapshot().payment_id);
  CHECK(ids == std::vector<std::string>{PaymentAt(1), PaymentAt(3), PaymentAt(5)});

  application::PaymentListQuery page_query;
  page_query.limit = 2;
  auto page = backend.store.payments().List(page_query);
  REQUIRE(page.has_value());
  CHECK(IdsOf(page->items) == std::vector<std::string>{PaymentAt(5), PaymentAt(4)});
  CHECK(page->has_more);

  application::PaymentListQuery filtered_query;
  filtered_query.order_id = kOrder;
  filtered_query.status = domain::PaymentStatus::kPending;
  filtered_query.before = PaymentAt(5);
  auto filtered = backend.store.payments().List(filtered_query);
  REQUIRE(filtered.has_value());
  CHECK(IdsOf(filtered->items) == std::vector<std::string>{PaymentAt(1)});
  CHECK_FALSE(filtered->has_more);
}

TEMPLATE_TEST_CASE("the order projection keeps the newest view of each order",
                   "[payments][contract]", InMemoryBackend, SqliteBackend) {
  TestType backend;
  application::OrderProjection& orders = backend.store.orders();
  auto unseen = orders.Find(kOrder);
  REQUIRE(unseen.has_value());
  CHECK_FALSE(unseen->has_value());

  CHECK(orders.Record(domain::OrderView{kOrder, "ASSIGNED", 2}).value());
  CHECK_FALSE(orders.Record(domain::OrderView{kOrder, "CREATED", 1}).value());
  CHECK_FALSE(orders.Record(domain::OrderView{kOrder, "PAID", 2}).value());
  auto seen = orders.Find(kOrder);
  REQUIRE((seen.has_value() && seen->has_value()));
  CHECK(**seen == domain::OrderView{kOrder, "ASSIGNED", 2});

  CHECK(orders.Record(domain::OrderView{kOrder, "CANCELLED", 3}).value());
  CHECK(orders.Find(kOrder).value() == domain::OrderView{kOrder, "CANCELLED", 3});
}
