#include "logistics/orders/application/order_queries.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <variant>
#include <vector>

#include "logistics/orders/application/order_commands.hpp"
#include "support/fakes/fixed_clock.hpp"
#include "support/fakes/in_memory_orders.hpp"
#include "support/fakes/sequential_id_generator.hpp"

namespace {

using logistics::common::PortError;
using logistics::orders::application::AssignDriver;
using logistics::orders::application::ByOrderId;
using logistics::orders::application::ByTrackingNumber;
using logistics::orders::application::CreateOrder;
using logistics::orders::application::GetOrder;
using logistics::orders::application::ListOrders;
using logistics::orders::application::OrderCommandPorts;
using logistics::orders::application::OrderFailure;
using logistics::orders::application::OrderListQuery;
using logistics::orders::application::OrderPage;
using logistics::orders::domain::NewOrder;
using logistics::orders::domain::OrderError;
using logistics::orders::domain::OrderRejection;
using logistics::orders::domain::OrderSnapshot;
using logistics::orders::domain::OrderStatus;
using logistics::testing::FixedClock;
using logistics::testing::InMemoryOrderRepository;
using logistics::testing::InMemoryOrderUnitOfWork;
using logistics::testing::SequentialIdGenerator;

struct World {
  InMemoryOrderRepository orders;
  InMemoryOrderUnitOfWork unit_of_work{orders};
  FixedClock clock;
  SequentialIdGenerator ids;
  OrderCommandPorts ports{orders, unit_of_work, clock};

  OrderSnapshot MustCreate(const std::string& tracking_number, const std::string& customer) {
    auto created =
        CreateOrder(ports, ids)
            .Execute(NewOrder{tracking_number, customer, "Madrid", "Lisboa", std::nullopt});
    REQUIRE(created.has_value());
    return *created;
  }

  OrderSnapshot MustAssign(const std::string& order_id) {
    auto assigned = AssignDriver(ports).Execute(order_id, "driver-1");
    REQUIRE(assigned.has_value());
    return *assigned;
  }
};

OrderRejection RejectionOf(const OrderFailure& failure) {
  const auto* rejection = std::get_if<OrderRejection>(&failure);
  if (rejection == nullptr)
    FAIL("expected a rejection, got " << std::get<PortError>(failure).message);
  return *rejection;
}

std::vector<std::string> TrackingNumbers(const OrderPage& page) {
  std::vector<std::string> out;
  for (const auto& order : page.items) out.push_back(order.tracking_number);
  return out;
}

OrderListQuery Filter(std::optional<OrderStatus> status, std::optional<std::string> customer) {
  OrderListQuery query;
  query.status = status;
  query.customer_name = std::move(customer);
  return query;
}

// Seven orders, created TRK-1 first; Ana owns the odd ones, Bruno the even
// ones; TRK-2, TRK-3 and TRK-6 are ASSIGNED, the rest CREATED.
void SeedSeven(World& world) {
  for (int i = 1; i <= 7; ++i) {
    const auto order = world.MustCreate("TRK-" + std::to_string(i), i % 2 == 1 ? "Ana" : "Bruno");
    if (i == 2 || i == 3 || i == 6) world.MustAssign(order.order_id);
  }
}

}  // namespace

TEST_CASE("an order can be got by its id or by its tracking number", "[orders][application]") {
  World world;
  world.MustCreate("TRK-1", "Ana");
  const OrderSnapshot second = world.MustCreate("TRK-2", "Bruno");
  const OrderSnapshot assigned = world.MustAssign(second.order_id);
  GetOrder get(world.orders);

  SECTION("by id") {
    auto found = get.Execute(ByOrderId{second.order_id});
    REQUIRE(found.has_value());
    CHECK(*found == assigned);
  }
  SECTION("by tracking number") {
    auto found = get.Execute(ByTrackingNumber{"TRK-2"});
    REQUIRE(found.has_value());
    CHECK(*found == assigned);
  }
}

TEST_CASE("getting an order that does not exist is rejected as not found",
          "[orders][application]") {
  World world;
  world.MustCreate("TRK-1", "Ana");
  GetOrder get(world.orders);
  const std::string unknown = SequentialIdGenerator::IdAt(42);

  SECTION("by id") {
    auto found = get.Execute(ByOrderId{unknown});
    REQUIRE_FALSE(found.has_value());
    const auto rejection = RejectionOf(found.error());
    CHECK(rejection.error == OrderError::kOrderNotFound);
    CHECK(rejection.message == "order " + unknown + " not found");
  }
  SECTION("by tracking number") {
    auto found = get.Execute(ByTrackingNumber{"TRK-404"});
    REQUIRE_FALSE(found.has_value());
    const auto rejection = RejectionOf(found.error());
    CHECK(rejection.error == OrderError::kOrderNotFound);
    CHECK(rejection.message == "no order has tracking_number 'TRK-404'");
  }
}

TEST_CASE("a storage failure while querying reaches the caller unchanged",
          "[orders][application]") {
  World world;
  world.MustCreate("TRK-1", "Ana");
  world.orders.FailNextRead("disk I/O error");

  SECTION("get") {
    auto found = GetOrder(world.orders).Execute(ByTrackingNumber{"TRK-1"});
    REQUIRE_FALSE(found.has_value());
    CHECK(std::get<PortError>(found.error()).message == "disk I/O error");
  }
  SECTION("list") {
    auto listed = ListOrders(world.orders).Execute(OrderListQuery{});
    REQUIRE_FALSE(listed.has_value());
    CHECK(std::get<PortError>(listed.error()).message == "disk I/O error");
  }
}

TEST_CASE("orders are listed newest first, filtered by status and customer",
          "[orders][application]") {
  World world;
  SeedSeven(world);
  ListOrders list(world.orders);

  struct Row {
    const char* name;
    OrderListQuery query;
    std::vector<std::string> expected;
  };
  const auto row = GENERATE(values<Row>({
      {"no filter",
       Filter({}, {}),
       {"TRK-7", "TRK-6", "TRK-5", "TRK-4", "TRK-3", "TRK-2", "TRK-1"}},
      {"status", Filter(OrderStatus::kAssigned, {}), {"TRK-6", "TRK-3", "TRK-2"}},
      {"customer", Filter({}, "Ana"), {"TRK-7", "TRK-5", "TRK-3", "TRK-1"}},
      {"status and customer", Filter(OrderStatus::kAssigned, "Bruno"), {"TRK-6", "TRK-2"}},
      {"customer is matched exactly", Filter({}, "ana"), {}},
      {"no match", Filter(OrderStatus::kDelivered, {}), {}},
  }));
  CAPTURE(row.name);

  auto page = list.Execute(row.query);
  REQUIRE(page.has_value());
  CHECK(TrackingNumbers(*page) == row.expected);
  CHECK_FALSE(page->has_more);
}

SCENARIO("a long list of orders is read page by page", "[orders][application]") {
  World world;
  SeedSeven(world);
  ListOrders list(world.orders);

  GIVEN("pages of three orders") {
    OrderListQuery query;
    query.limit = 3;

    WHEN("each page starts below the last order of the page before") {
      std::vector<std::vector<std::string>> pages;
      std::vector<bool> has_more;
      for (int guard = 0; guard < 10; ++guard) {
        auto page = list.Execute(query);
        REQUIRE(page.has_value());
        pages.push_back(TrackingNumbers(*page));
        has_more.push_back(page->has_more);
        if (!page->has_more) break;
        query.before = page->items.back().order_id;
      }

      THEN("every order appears once, newest first, and only the last page has no more") {
        CHECK(pages == std::vector<std::vector<std::string>>{
                           {"TRK-7", "TRK-6", "TRK-5"}, {"TRK-4", "TRK-3", "TRK-2"}, {"TRK-1"}});
        CHECK(has_more == std::vector<bool>{true, true, false});
      }
    }
  }

  GIVEN("a filter and pages of two") {
    OrderListQuery query;
    query.customer_name = "Ana";
    query.limit = 2;

    THEN("paging walks the matching orders only") {
      auto first = list.Execute(query);
      REQUIRE(first.has_value());
      CHECK(TrackingNumbers(*first) == std::vector<std::string>{"TRK-7", "TRK-5"});
      CHECK(first->has_more);

      query.before = first->items.back().order_id;
      auto second = list.Execute(query);
      REQUIRE(second.has_value());
      CHECK(TrackingNumbers(*second) == std::vector<std::string>{"TRK-3", "TRK-1"});
      CHECK_FALSE(second->has_more);
    }
  }

  GIVEN("a page exactly as long as what is left") {
    OrderListQuery query;
    query.limit = 7;

    THEN("it holds every order and says there is no more") {
      auto page = list.Execute(query);
      REQUIRE(page.has_value());
      CHECK(page->items.size() == 7);
      CHECK_FALSE(page->has_more);
    }
  }
}
