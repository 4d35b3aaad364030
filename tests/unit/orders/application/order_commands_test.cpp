#include "logistics/orders/application/order_commands.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <variant>

#include "support/fakes/fixed_clock.hpp"
#include "support/fakes/in_memory_orders.hpp"
#include "support/fakes/sequential_id_generator.hpp"

namespace {

using logistics::common::PortError;
using logistics::orders::application::AssignDriver;
using logistics::orders::application::CancelOrder;
using logistics::orders::application::CreateOrder;
using logistics::orders::application::DeliverOrder;
using logistics::orders::application::DispatchOrder;
using logistics::orders::application::MarkOrderPaid;
using logistics::orders::application::OrderCommandPorts;
using logistics::orders::application::OrderFailure;
using logistics::orders::application::OrderPage;
using logistics::orders::application::OrderRepository;
using logistics::orders::application::OrderResult;
using logistics::orders::domain::NewOrder;
using logistics::orders::domain::Order;
using logistics::orders::domain::OrderError;
using logistics::orders::domain::OrderEventType;
using logistics::orders::domain::OrderRejection;
using logistics::orders::domain::OrderSnapshot;
using logistics::orders::domain::OrderStatus;
using logistics::testing::FixedClock;
using logistics::testing::InMemoryOrderRepository;
using logistics::testing::InMemoryOrderUnitOfWork;
using logistics::testing::SequentialIdGenerator;

// The orders use cases wired to fresh fakes; each test builds its own.
struct World {
  InMemoryOrderRepository orders;
  InMemoryOrderUnitOfWork unit_of_work{orders};
  FixedClock clock;
  SequentialIdGenerator ids;
  OrderCommandPorts ports{orders, unit_of_work, clock};

  OrderResult<OrderSnapshot> Create(const std::string& tracking_number,
                                    const std::string& customer_name = "Ana") {
    return CreateOrder(ports, ids)
        .Execute(NewOrder{tracking_number, customer_name, "Madrid", "Lisboa", "ana@example.com"});
  }

  // Creates an order that must be accepted.
  OrderSnapshot MustCreate(const std::string& tracking_number) {
    auto created = Create(tracking_number);
    REQUIRE(created.has_value());
    return *created;
  }
};

OrderRejection RejectionOf(const OrderFailure& failure) {
  const auto* rejection = std::get_if<OrderRejection>(&failure);
  if (rejection == nullptr)
    FAIL("expected a rejection, got " << std::get<PortError>(failure).message);
  return *rejection;
}

PortError PortErrorOf(const OrderFailure& failure) {
  const auto* error = std::get_if<PortError>(&failure);
  if (error == nullptr)
    FAIL("expected a PortError, got " << std::get<OrderRejection>(failure).message);
  return *error;
}

enum class Command { kAssign, kMarkPaid, kDispatch, kDeliver, kCancel };

const char* NameOf(Command command) {
  switch (command) {
    case Command::kAssign:
      return "assign";
    case Command::kMarkPaid:
      return "mark paid";
    case Command::kDispatch:
      return "dispatch";
    case Command::kDeliver:
      return "deliver";
    case Command::kCancel:
      return "cancel";
  }
  return "?";
}

OrderResult<OrderSnapshot> Run(World& world, Command command, const std::string& order_id) {
  switch (command) {
    case Command::kAssign:
      return AssignDriver(world.ports).Execute(order_id, "driver-1");
    case Command::kMarkPaid:
      return MarkOrderPaid(world.ports).Execute(order_id, "payment-1");
    case Command::kDispatch:
      return DispatchOrder(world.ports).Execute(order_id);
    case Command::kDeliver:
      return DeliverOrder(world.ports).Execute(order_id);
    case Command::kCancel:
      return CancelOrder(world.ports).Execute(order_id, "no longer needed");
  }
  FAIL("unknown command");
  return OrderSnapshot{};
}

// A repository that never finds a tracking number, as when another create of
// the same tracking number commits between CreateOrder's check and its Save.
class RacingRepository final : public OrderRepository {
 public:
  explicit RacingRepository(InMemoryOrderRepository& inner) : inner_(inner) {}
  OrderResult<std::optional<Order>> FindById(std::string_view order_id) override {
    return inner_.FindById(order_id);
  }
  OrderResult<std::optional<Order>> FindByTrackingNumber(std::string_view) override {
    return std::optional<Order>{};
  }
  OrderResult<OrderPage> List(
      const logistics::orders::application::OrderListQuery& query) override {
    return inner_.List(query);
  }

 private:
  InMemoryOrderRepository& inner_;
};

}  // namespace

SCENARIO("creating an order stores it with exactly one created event", "[orders][application]") {
  GIVEN("no orders") {
    World world;

    WHEN("an order is created") {
      auto created = world.Create("TRK-1");

      THEN("it is CREATED at version 1, with a new id and the clock's time") {
        REQUIRE(created.has_value());
        CHECK(created->order_id == SequentialIdGenerator::IdAt(1));
        CHECK(created->status == OrderStatus::kCreated);
        CHECK(created->version == 1);
        CHECK(created->created_at == world.clock.Now());
        CHECK(created->updated_at == world.clock.Now());
        CHECK(created->tracking_number == "TRK-1");
      }
      THEN("the stored order is the one returned") {
        REQUIRE(created.has_value());
        CHECK(world.orders.size() == 1);
        CHECK(world.orders.Stored(created->order_id) == *created);
      }
      THEN("exactly one created event was saved, carrying the order") {
        REQUIRE(created.has_value());
        REQUIRE(world.unit_of_work.saved_events.size() == 1);
        CHECK(world.unit_of_work.saved_events[0].type == OrderEventType::kCreated);
        CHECK(world.unit_of_work.saved_events[0].order == *created);
        CHECK(world.unit_of_work.save_calls() == 1);
      }
    }
  }
}

SCENARIO("a duplicate tracking number is rejected and nothing is saved", "[orders][application]") {
  GIVEN("an order with tracking number TRK-1") {
    World world;
    world.MustCreate("TRK-1");

    WHEN("another order is created with TRK-1") {
      auto duplicate = world.Create("TRK-1", "Bruno");

      THEN("it is rejected naming the tracking number") {
        REQUIRE_FALSE(duplicate.has_value());
        const auto rejection = RejectionOf(duplicate.error());
        CHECK(rejection.error == OrderError::kDuplicateTrackingNumber);
        CHECK(rejection.message == "an order with tracking_number 'TRK-1' already exists");
      }
      THEN("nothing more is stored") {
        CHECK(world.orders.size() == 1);
        CHECK(world.unit_of_work.save_calls() == 1);
        CHECK(world.unit_of_work.saved_events.size() == 1);
      }
    }
  }
}

TEST_CASE("a duplicate that slips past the check is still rejected by the unit of work",
          "[orders][application]") {
  World world;
  world.MustCreate("TRK-1");
  RacingRepository racing(world.orders);
  OrderCommandPorts ports{racing, world.unit_of_work, world.clock};

  auto duplicate = CreateOrder(ports, world.ids)
                       .Execute(NewOrder{"TRK-1", "Bruno", "Madrid", "Lisboa", std::nullopt});
  REQUIRE_FALSE(duplicate.has_value());
  CHECK(RejectionOf(duplicate.error()).error == OrderError::kDuplicateTrackingNumber);
  CHECK(world.orders.size() == 1);
  CHECK(world.unit_of_work.saved_events.size() == 1);
}

TEST_CASE("an invalid new order is rejected without touching storage", "[orders][application]") {
  World world;
  auto created = CreateOrder(world.ports, world.ids)
                     .Execute(NewOrder{"TRK-1", "Ana", "Madrid", "madrid", std::nullopt});
  REQUIRE_FALSE(created.has_value());
  CHECK(RejectionOf(created.error()).error == OrderError::kSameOriginAndDestination);
  CHECK(world.orders.reads() == 0);
  CHECK(world.unit_of_work.save_calls() == 0);
}

TEST_CASE("a command on an unknown order is rejected as not found", "[orders][application]") {
  const Command command = GENERATE(Command::kAssign, Command::kMarkPaid, Command::kDispatch,
                                   Command::kDeliver, Command::kCancel);
  CAPTURE(NameOf(command));
  World world;
  world.MustCreate("TRK-1");
  const std::string unknown = SequentialIdGenerator::IdAt(99);

  auto result = Run(world, command, unknown);
  REQUIRE_FALSE(result.has_value());
  const auto rejection = RejectionOf(result.error());
  CHECK(rejection.error == OrderError::kOrderNotFound);
  CHECK(rejection.message == "order " + unknown + " not found");
  CHECK(world.unit_of_work.save_calls() == 1);
}

TEST_CASE("a rejected transition saves nothing", "[orders][application]") {
  const Command command = GENERATE(Command::kDispatch, Command::kDeliver);
  CAPTURE(NameOf(command));
  World world;
  const OrderSnapshot order = world.MustCreate("TRK-1");

  auto result = Run(world, command, order.order_id);
  REQUIRE_FALSE(result.has_value());
  CHECK(RejectionOf(result.error()).error == OrderError::kInvalidTransition);
  CHECK(world.unit_of_work.save_calls() == 1);
  CHECK(world.unit_of_work.saved_events.size() == 1);
  CHECK(world.orders.Stored(order.order_id) == order);
}

TEST_CASE("a command whose input the order rejects saves nothing", "[orders][application]") {
  World world;
  const OrderSnapshot order = world.MustCreate("TRK-1");

  auto result = AssignDriver(world.ports).Execute(order.order_id, std::string(101, 'd'));
  REQUIRE_FALSE(result.has_value());
  CHECK(RejectionOf(result.error()).error == OrderError::kDriverIdTooLong);
  CHECK(world.unit_of_work.save_calls() == 1);
  CHECK(world.orders.Stored(order.order_id) == order);
}

TEST_CASE("a storage failure while saving a new order reaches the caller unchanged",
          "[orders][application]") {
  World world;
  world.unit_of_work.FailNextSave("disk I/O error");

  auto failed = world.Create("TRK-1");
  REQUIRE_FALSE(failed.has_value());
  CHECK(PortErrorOf(failed.error()).message == "disk I/O error");
  CHECK(world.orders.size() == 0);
  CHECK(world.unit_of_work.saved_events.empty());

  AND_THEN("the same request succeeds once storage works again") {
    CHECK(world.Create("TRK-1").has_value());
  }
}

TEST_CASE("a storage failure while saving a change reaches the caller unchanged",
          "[orders][application]") {
  const Command command = GENERATE(Command::kAssign, Command::kMarkPaid, Command::kCancel);
  CAPTURE(NameOf(command));
  World world;
  const OrderSnapshot order = world.MustCreate("TRK-1");
  world.unit_of_work.FailNextSave("database is locked");

  auto failed = Run(world, command, order.order_id);
  REQUIRE_FALSE(failed.has_value());
  CHECK(PortErrorOf(failed.error()).message == "database is locked");
  CHECK(world.orders.Stored(order.order_id) == order);
  CHECK(world.unit_of_work.saved_events.size() == 1);
}

TEST_CASE("a storage failure while reading reaches the caller unchanged", "[orders][application]") {
  World world;
  const OrderSnapshot order = world.MustCreate("TRK-1");

  SECTION("when creating") {
    world.orders.FailNextRead("no such table: orders");
    auto failed = world.Create("TRK-2");
    REQUIRE_FALSE(failed.has_value());
    CHECK(PortErrorOf(failed.error()).message == "no such table: orders");
  }
  SECTION("when changing an order") {
    const Command command = GENERATE(Command::kAssign, Command::kMarkPaid, Command::kDispatch,
                                     Command::kDeliver, Command::kCancel);
    CAPTURE(NameOf(command));
    world.orders.FailNextRead("no such table: orders");
    auto failed = Run(world, command, order.order_id);
    REQUIRE_FALSE(failed.has_value());
    CHECK(PortErrorOf(failed.error()).message == "no such table: orders");
  }
  CHECK(world.unit_of_work.save_calls() == 1);
}

SCENARIO("an order is driven through its life by the use cases", "[orders][application]") {
  using std::chrono::seconds;
  World world;
  const OrderSnapshot created = world.MustCreate("TRK-1");
  const std::string id = created.order_id;

  GIVEN("a created order") {
    WHEN("it is assigned, paid, dispatched and delivered as time passes") {
      world.clock.Advance(seconds(10));
      auto assigned = AssignDriver(world.ports).Execute(id, "driver-7");
      world.clock.Advance(seconds(10));
      auto paid = MarkOrderPaid(world.ports).Execute(id, "payment-3");
      world.clock.Advance(seconds(10));
      auto dispatched = DispatchOrder(world.ports).Execute(id);
      world.clock.Advance(seconds(10));
      auto delivered = DeliverOrder(world.ports).Execute(id);

      THEN("each step returns the order after it, one version later") {
        REQUIRE(assigned.has_value());
        REQUIRE(paid.has_value());
        REQUIRE(dispatched.has_value());
        REQUIRE(delivered.has_value());
        CHECK(assigned->status == OrderStatus::kAssigned);
        CHECK(assigned->driver_id == "driver-7");
        CHECK(assigned->version == 2);
        CHECK(paid->status == OrderStatus::kPaid);
        CHECK(paid->version == 3);
        CHECK(dispatched->status == OrderStatus::kInTransit);
        CHECK(dispatched->version == 4);
        CHECK(delivered->status == OrderStatus::kDelivered);
        CHECK(delivered->version == 5);
        CHECK(delivered->created_at == created.created_at);
        CHECK(delivered->updated_at == created.created_at + seconds(40));
      }
      THEN("the stored order is the delivered one") {
        REQUIRE(delivered.has_value());
        CHECK(world.orders.Stored(id) == *delivered);
      }
      THEN("one event per change was saved, in order") {
        const auto& events = world.unit_of_work.saved_events;
        REQUIRE(events.size() == 5);
        CHECK(events[0].type == OrderEventType::kCreated);
        CHECK(events[1].type == OrderEventType::kAssigned);
        CHECK(events[2].type == OrderEventType::kPaid);
        CHECK(events[2].payment_id == "payment-3");
        CHECK(events[3].type == OrderEventType::kDispatched);
        CHECK(events[4].type == OrderEventType::kDelivered);
        for (std::size_t i = 0; i < events.size(); ++i) {
          CHECK(events[i].order.version == static_cast<std::int64_t>(i + 1));
        }
        REQUIRE(delivered.has_value());
        CHECK(events[4].order == *delivered);
      }
    }

    WHEN("it is cancelled with a reason") {
      world.clock.Advance(seconds(5));
      auto cancelled = CancelOrder(world.ports).Execute(id, "customer moved away");
      REQUIRE(cancelled.has_value());

      THEN("it is CANCELLED with the reason, stored and announced") {
        CHECK(cancelled->status == OrderStatus::kCancelled);
        CHECK(cancelled->cancellation_reason == "customer moved away");
        CHECK(cancelled->version == 2);
        CHECK(world.orders.Stored(id) == *cancelled);
        REQUIRE(world.unit_of_work.saved_events.size() == 2);
        CHECK(world.unit_of_work.saved_events[1].type == OrderEventType::kCancelled);
        CHECK(world.unit_of_work.saved_events[1].reason == "customer moved away");
      }

      AND_WHEN("someone tries to dispatch it") {
        auto dispatched = DispatchOrder(world.ports).Execute(id);

        THEN("it is rejected and the cancelled order is left as it was") {
          REQUIRE_FALSE(dispatched.has_value());
          CHECK(RejectionOf(dispatched.error()).message ==
                "cannot dispatch an order that is CANCELLED: dispatch needs a PAID order with a "
                "driver");
          CHECK(world.orders.Stored(id) == *cancelled);
        }
      }
    }
  }
}
