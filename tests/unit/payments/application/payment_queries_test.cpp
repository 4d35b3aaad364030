// The payments queries on in-memory fakes: get one, list with filters and
// pages.
#include "logistics/payments/application/payment_queries.hpp"

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "logistics/payments/application/payment_commands.hpp"
#include "support/fixtures/payments_world.hpp"

namespace {

using logistics::common::PortError;
using logistics::payments::application::GetPayment;
using logistics::payments::application::ListPayments;
using logistics::payments::application::PaymentListQuery;
using logistics::payments::application::PaymentPage;
using logistics::payments::domain::PaymentError;
using logistics::payments::domain::PaymentRejection;
using logistics::payments::domain::PaymentSnapshot;
using logistics::payments::domain::PaymentStatus;
using logistics::testing::SequentialIdGenerator;

const std::string& kOrderA = logistics::testing::kWorldOrderId;
const std::string& kOrderB = logistics::testing::kWorldOtherOrderId;

// Two orders the projection has seen; payments told apart by their amount.
struct World : logistics::testing::PaymentsWorld {
  World() {
    SeeOrder(kOrderA, "CREATED");
    SeeOrder(kOrderB, "CREATED");
  }

  // Registers a payment of `units` whole units to `order_id`.
  PaymentSnapshot MustRegister(const std::string& order_id, int units) {
    return PaymentsWorld::MustRegister(order_id, std::to_string(units));
  }
};

// Payments are told apart by their amount in whole units: 1..7.
std::vector<std::int64_t> Units(const PaymentPage& page) {
  std::vector<std::int64_t> out;
  for (const auto& payment : page.items) out.push_back(payment.amount.cents() / 100);
  return out;
}

// Seven payments, registered 1 first; order A has the odd ones, order B the
// even ones; 2, 3 and 6 are CONFIRMED, the rest PENDING.
void SeedSeven(World& world) {
  for (int i = 1; i <= 7; ++i) {
    const auto payment = world.MustRegister(i % 2 == 1 ? kOrderA : kOrderB, i);
    if (i == 2 || i == 3 || i == 6) world.MustConfirm(payment.payment_id);
  }
}

PaymentListQuery Filter(std::optional<std::string> order_id, std::optional<PaymentStatus> status) {
  PaymentListQuery query;
  query.order_id = std::move(order_id);
  query.status = status;
  return query;
}

}  // namespace

TEST_CASE("a payment can be got by its id", "[payments][application]") {
  World world;
  world.MustRegister(kOrderA, 1);
  const PaymentSnapshot second = world.MustRegister(kOrderB, 2);
  const PaymentSnapshot confirmed = world.MustConfirm(second.payment_id);

  auto found = GetPayment(world.payments).Execute(second.payment_id);
  REQUIRE(found.has_value());
  CHECK(*found == confirmed);
}

TEST_CASE("getting a payment that does not exist is rejected as not found",
          "[payments][application]") {
  World world;
  world.MustRegister(kOrderA, 1);
  const std::string unknown = SequentialIdGenerator::IdAt(42);

  auto found = GetPayment(world.payments).Execute(unknown);
  REQUIRE_FALSE(found.has_value());
  const auto& rejection = std::get<PaymentRejection>(found.error());
  CHECK(rejection.error == PaymentError::kPaymentNotFound);
  CHECK(rejection.message == "payment " + unknown + " not found");
}

TEST_CASE("a storage failure while querying payments reaches the caller unchanged",
          "[payments][application]") {
  World world;
  const PaymentSnapshot payment = world.MustRegister(kOrderA, 1);
  world.payments.FailNextRead("disk I/O error");

  SECTION("get") {
    auto found = GetPayment(world.payments).Execute(payment.payment_id);
    REQUIRE_FALSE(found.has_value());
    CHECK(std::get<PortError>(found.error()).message == "disk I/O error");
  }
  SECTION("list") {
    auto listed = ListPayments(world.payments).Execute(PaymentListQuery{});
    REQUIRE_FALSE(listed.has_value());
    CHECK(std::get<PortError>(listed.error()).message == "disk I/O error");
  }
}

TEST_CASE("payments are listed newest first, filtered by order and status",
          "[payments][application]") {
  World world;
  SeedSeven(world);
  ListPayments list(world.payments);

  struct Row {
    const char* name;
    PaymentListQuery query;
    std::vector<std::int64_t> expected;
  };
  const auto row = GENERATE(values<Row>({
      {"no filter", Filter({}, {}), {7, 6, 5, 4, 3, 2, 1}},
      {"order", Filter(kOrderA, {}), {7, 5, 3, 1}},
      {"status", Filter({}, PaymentStatus::kConfirmed), {6, 3, 2}},
      {"order and status", Filter(kOrderB, PaymentStatus::kConfirmed), {6, 2}},
      {"order and status, other side", Filter(kOrderA, PaymentStatus::kPending), {7, 5, 1}},
      {"an order without payments", Filter(SequentialIdGenerator::IdAt(9, 1), {}), {}},
      {"no match", Filter({}, PaymentStatus::kRefunded), {}},
  }));
  CAPTURE(row.name);

  auto page = list.Execute(row.query);
  REQUIRE(page.has_value());
  CHECK(Units(*page) == row.expected);
  CHECK_FALSE(page->has_more);
}

SCENARIO("a long list of payments is read page by page", "[payments][application]") {
  World world;
  SeedSeven(world);
  ListPayments list(world.payments);

  GIVEN("pages of three payments") {
    PaymentListQuery query;
    query.limit = 3;

    WHEN("each page starts below the last payment of the page before") {
      std::vector<std::vector<std::int64_t>> pages;
      std::vector<bool> has_more;
      for (int guard = 0; guard < 10; ++guard) {
        auto page = list.Execute(query);
        REQUIRE(page.has_value());
        pages.push_back(Units(*page));
        has_more.push_back(page->has_more);
        if (!page->has_more) break;
        query.before = page->items.back().payment_id;
      }

      THEN("every payment appears once, newest first, and only the last page has no more") {
        CHECK(pages == std::vector<std::vector<std::int64_t>>{{7, 6, 5}, {4, 3, 2}, {1}});
        CHECK(has_more == std::vector<bool>{true, true, false});
      }
    }
  }

  GIVEN("an order filter and pages of two") {
    PaymentListQuery query;
    query.order_id = kOrderA;
    query.limit = 2;

    THEN("paging walks that order's payments only") {
      auto first = list.Execute(query);
      REQUIRE(first.has_value());
      CHECK(Units(*first) == std::vector<std::int64_t>{7, 5});
      CHECK(first->has_more);

      query.before = first->items.back().payment_id;
      auto second = list.Execute(query);
      REQUIRE(second.has_value());
      CHECK(Units(*second) == std::vector<std::int64_t>{3, 1});
      CHECK_FALSE(second->has_more);
    }
  }

  GIVEN("a page exactly as long as what is left") {
    PaymentListQuery query;
    query.limit = 7;

    THEN("it holds every payment and says there is no more") {
      auto page = list.Execute(query);
      REQUIRE(page.has_value());
      CHECK(page->items.size() == 7);
      CHECK_FALSE(page->has_more);
    }
  }
}
