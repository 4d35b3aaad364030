// The Order aggregate's state machine (SPEC §2) and the arguments its commands
// take.
#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "logistics/orders/domain/order.hpp"
#include "support/text_rows.hpp"
#include "support/transition_table.hpp"

namespace {

using namespace logistics::orders::domain;
using namespace logistics::testing;  // kCreatedAt, kUpdatedAt, kNow: the table's instants

const std::string kOldDriver = "driver-old";
const std::string kNewDriver = "driver-new";
const std::string kPaymentId = "01936d4b-7c1e-7a2b-8c3d-000000000001";

// An order as the repository would hand it back: mid-life, version 4.
Order StoredOrder(OrderStatus status, bool has_driver) {
  OrderSnapshot snapshot;
  snapshot.order_id = "01936d4b-7c1e-7a2b-8c3d-4e5f60718293";
  snapshot.tracking_number = "TRK-0001";
  snapshot.customer_name = "Ana";
  snapshot.customer_email = "ana@example.com";
  snapshot.origin = "Madrid";
  snapshot.destination = "Lisboa";
  snapshot.status = status;
  if (has_driver) snapshot.driver_id = kOldDriver;
  snapshot.created_at = kCreatedAt;
  snapshot.updated_at = kUpdatedAt;
  snapshot.version = 4;
  return Order::Restore(snapshot);
}

enum class Command { kAssign, kMarkPaid, kDispatch, kDeliver, kCancel };

struct Transition {
  OrderStatus from;
  bool has_driver;
  Command command;
  std::optional<OrderStatus> to;  // nullopt: rejected with `error`
  OrderError error = OrderError::kInvalidTransition;
};

using C = Command;
using S = OrderStatus;
constexpr bool kDriver = true;
constexpr bool kNoDriver = false;
constexpr auto kInvalid = OrderError::kInvalidTransition;

// The reason the table cancels with.
const std::string kReason = "customer changed their mind";

// Every command, with the arguments the table runs it with.
using OrderCommand = CommandSpec<Command, Order, OrderRejection, OrderEventType>;
const std::vector<OrderCommand> kCommands = {
    {C::kAssign, "assign", OrderEventType::kAssigned,
     [](Order& order) { return order.AssignDriver(kNewDriver, kNow); }},
    {C::kMarkPaid, "mark paid", OrderEventType::kPaid,
     [](Order& order) { return order.MarkPaid(kPaymentId, kNow); }},
    {C::kDispatch, "dispatch", OrderEventType::kDispatched,
     [](Order& order) { return order.Dispatch(kNow); }},
    {C::kDeliver, "deliver", OrderEventType::kDelivered,
     [](Order& order) { return order.Deliver(kNow); }},
    {C::kCancel, "cancel", OrderEventType::kCancelled,
     [](Order& order) { return order.Cancel(kReason, kNow); }},
};

// The orders state machine (SPEC §2), one row per status, driver and command.
// Dispatch appears with and without a driver in every status; the other
// commands with the driver an order in that status normally has, plus
// assign on a PAID order both ways.
const std::vector<Transition> kTransitions = {
    {S::kCreated, kNoDriver, C::kAssign, S::kAssigned},
    {S::kCreated, kNoDriver, C::kMarkPaid, S::kPaid},
    {S::kCreated, kNoDriver, C::kDispatch, std::nullopt, kInvalid},
    {S::kCreated, kDriver, C::kDispatch, std::nullopt, kInvalid},
    {S::kCreated, kNoDriver, C::kDeliver, std::nullopt, kInvalid},
    {S::kCreated, kNoDriver, C::kCancel, S::kCancelled},

    {S::kAssigned, kDriver, C::kAssign, S::kAssigned},
    {S::kAssigned, kDriver, C::kMarkPaid, S::kPaid},
    {S::kAssigned, kDriver, C::kDispatch, std::nullopt, kInvalid},
    {S::kAssigned, kNoDriver, C::kDispatch, std::nullopt, kInvalid},
    {S::kAssigned, kDriver, C::kDeliver, std::nullopt, kInvalid},
    {S::kAssigned, kDriver, C::kCancel, S::kCancelled},

    {S::kPaid, kNoDriver, C::kAssign, S::kPaid},
    {S::kPaid, kDriver, C::kAssign, S::kPaid},
    {S::kPaid, kDriver, C::kMarkPaid, std::nullopt, kInvalid},
    {S::kPaid, kDriver, C::kDispatch, S::kInTransit},
    {S::kPaid, kNoDriver, C::kDispatch, std::nullopt, OrderError::kDriverNotAssigned},
    {S::kPaid, kDriver, C::kDeliver, std::nullopt, kInvalid},
    {S::kPaid, kDriver, C::kCancel, S::kCancelled},

    {S::kInTransit, kDriver, C::kAssign, std::nullopt, kInvalid},
    {S::kInTransit, kDriver, C::kMarkPaid, std::nullopt, kInvalid},
    {S::kInTransit, kDriver, C::kDispatch, std::nullopt, kInvalid},
    {S::kInTransit, kNoDriver, C::kDispatch, std::nullopt, kInvalid},
    {S::kInTransit, kDriver, C::kDeliver, S::kDelivered},
    {S::kInTransit, kDriver, C::kCancel, std::nullopt, kInvalid},

    {S::kDelivered, kDriver, C::kAssign, std::nullopt, kInvalid},
    {S::kDelivered, kDriver, C::kMarkPaid, std::nullopt, kInvalid},
    {S::kDelivered, kDriver, C::kDispatch, std::nullopt, kInvalid},
    {S::kDelivered, kNoDriver, C::kDispatch, std::nullopt, kInvalid},
    {S::kDelivered, kDriver, C::kDeliver, std::nullopt, kInvalid},
    {S::kDelivered, kDriver, C::kCancel, std::nullopt, kInvalid},

    {S::kCancelled, kNoDriver, C::kAssign, std::nullopt, kInvalid},
    {S::kCancelled, kNoDriver, C::kMarkPaid, std::nullopt, kInvalid},
    {S::kCancelled, kDriver, C::kDispatch, std::nullopt, kInvalid},
    {S::kCancelled, kNoDriver, C::kDispatch, std::nullopt, kInvalid},
    {S::kCancelled, kNoDriver, C::kDeliver, std::nullopt, kInvalid},
    {S::kCancelled, kNoDriver, C::kCancel, std::nullopt, kInvalid},
};

// How a row of kTransitions drives an order (see support/transition_table.hpp).
struct OrderTable {
  using Row = Transition;

  static Order Stored(const Row& row) { return StoredOrder(row.from, row.has_driver); }
  static const OrderCommand& CommandOf(const Row& row) { return SpecOf(kCommands, row.command); }
  static Verdict<OrderStatus, OrderError> VerdictOf(const Row& row) {
    if (row.to) return {Outcome::kChanges, *row.to, row.error};
    return {Outcome::kRejected, row.from, row.error};
  }
  // Assign sets the new driver, cancel the reason.
  static void AlsoChanged(const Row& row, OrderSnapshot& expected) {
    if (row.command == C::kAssign) expected.driver_id = kNewDriver;
    if (row.command == C::kCancel) expected.cancellation_reason = kReason;
  }
  // Only cancel's event has a reason, only mark paid's a payment id.
  static void CheckEvent(const Row& row, const OrderEvent& event, const OrderSnapshot& expected) {
    CHECK(event.order == expected);
    CHECK(event.reason ==
          (row.command == C::kCancel ? std::optional<std::string>(kReason) : std::nullopt));
    CHECK(event.payment_id ==
          (row.command == C::kMarkPaid ? std::optional<std::string>(kPaymentId) : std::nullopt));
  }
};

}  // namespace

TEST_CASE("the transition table covers every status and command", "[orders][domain]") {
  // Dispatch depends on the driver, so it needs a row with one and a row without.
  const auto covered = [](Command command, const std::vector<Transition>& rows) {
    bool dispatch_with = false;
    bool dispatch_without = false;
    for (const Transition& row : rows) (row.has_driver ? dispatch_with : dispatch_without) = true;
    CHECK(rows.size() >= 1);
    if (command == C::kDispatch) CHECK((dispatch_with && dispatch_without));
  };
  ForEveryStatusAndCommand(kTransitions, kAllOrderStatuses, kCommands, covered);
}

TEST_CASE("each command is allowed or rejected as the state machine says", "[orders][domain]") {
  const Transition row = GENERATE(from_range(kTransitions));
  CAPTURE(ToString(row.from), row.has_driver, SpecOf(kCommands, row.command).name);
  CheckTransitionRow<OrderTable>(row);
}

TEST_CASE("a rejected transition says what the order is and what the command needs",
          "[orders][domain]") {
  struct Row {
    OrderStatus from;
    bool has_driver;
    Command command;
    const char* message;
  };
  const auto row = GENERATE(values<Row>({
      {S::kCreated, kNoDriver, C::kDispatch,
       "cannot dispatch an order that is CREATED: dispatch needs a PAID order with a driver"},
      {S::kPaid, kNoDriver, C::kDispatch,
       "cannot dispatch an order that is PAID but has no driver: assign a driver first"},
      {S::kDelivered, kDriver, C::kAssign,
       "cannot assign a driver to an order that is DELIVERED: a driver can be assigned only "
       "while the order is CREATED, ASSIGNED or PAID"},
      {S::kPaid, kDriver, C::kMarkPaid,
       "cannot mark as paid an order that is PAID: only a CREATED or ASSIGNED order can be paid"},
      {S::kAssigned, kDriver, C::kDeliver,
       "cannot deliver an order that is ASSIGNED: only an IN_TRANSIT order can be delivered"},
      {S::kInTransit, kDriver, C::kCancel,
       "cannot cancel an order that is IN_TRANSIT: an order can be cancelled only while it is "
       "CREATED, ASSIGNED or PAID"},
  }));
  Order order = StoredOrder(row.from, row.has_driver);
  const auto result = SpecOf(kCommands, row.command).run(order);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().message == row.message);
}

TEST_CASE("re-assigning an order to the same driver is still a change", "[orders][domain]") {
  Order order = StoredOrder(S::kAssigned, kDriver);
  REQUIRE(order.AssignDriver(kOldDriver, kNow).has_value());
  CHECK(order.status() == S::kAssigned);
  CHECK(order.snapshot().driver_id == kOldDriver);
  CHECK(order.version() == 5);
  const auto events = order.TakeEvents();
  REQUIRE(events.size() == 1);
  CHECK(events[0].type == OrderEventType::kAssigned);
}

TEST_CASE("a driver id must be present and at most 100 characters", "[orders][domain]") {
  const auto row = GENERATE(from_range(
      RequiredTextRows(100, 'd', OrderError::kDriverIdEmpty, OrderError::kDriverIdTooLong)));
  CAPTURE(row.text);
  Order order = StoredOrder(S::kCreated, kNoDriver);
  const OrderSnapshot before = order.snapshot();
  const auto result = order.AssignDriver(row.text, kNow);
  if (!row.error) {
    REQUIRE(result.has_value());
    CHECK(order.snapshot().driver_id == row.text);
  } else {
    CheckRejected(order, before, result, *row.error);
  }
}

TEST_CASE("a too long driver id is reported with its length", "[orders][domain]") {
  Order order = StoredOrder(S::kCreated, kNoDriver);
  const auto result = order.AssignDriver(std::string(101, 'd'), kNow);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().message == "driver_id must be at most 100 characters (got 101)");
}

TEST_CASE("a malformed driver id is reported before the order's status", "[orders][domain]") {
  // The request is wrong whatever the order's state, so that is what the
  // client hears first.
  Order order = StoredOrder(S::kDelivered, kDriver);
  const auto result = order.AssignDriver("", kNow);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().error == OrderError::kDriverIdEmpty);
}

TEST_CASE("a cancellation reason is optional and at most 500 characters", "[orders][domain]") {
  const auto row = GENERATE(from_range(OptionalTextRows(500, 'r')));
  CAPTURE(row.text);
  Order order = StoredOrder(S::kCreated, kNoDriver);
  CheckOptionalReasonRow(
      row, order, [](Order& o, const auto& reason) { return o.Cancel(reason, kNow); },
      &OrderSnapshot::cancellation_reason, OrderError::kReasonTooLong);
}

SCENARIO("an order goes from creation to delivery", "[orders][domain]") {
  GIVEN("a new order") {
    auto created =
        Order::Create("01936d4b-7c1e-7a2b-8c3d-4e5f60718293",
                      NewOrder{"TRK-9", "Ana", "Madrid", "Lisboa", std::nullopt}, kCreatedAt);
    REQUIRE(created.has_value());
    Order order = std::move(*created);

    WHEN("it is assigned, paid, dispatched and delivered, a minute apart") {
      using std::chrono::minutes;
      REQUIRE(order.AssignDriver("driver-1", kCreatedAt + minutes(1)).has_value());
      REQUIRE(order.MarkPaid(kPaymentId, kCreatedAt + minutes(2)).has_value());
      REQUIRE(order.Dispatch(kCreatedAt + minutes(3)).has_value());
      REQUIRE(order.Deliver(kCreatedAt + minutes(4)).has_value());

      THEN("it is DELIVERED at version 5, created then and updated last") {
        CHECK(order.status() == S::kDelivered);
        CHECK(order.version() == 5);
        CHECK(order.snapshot().created_at == kCreatedAt);
        CHECK(order.snapshot().updated_at == kCreatedAt + minutes(4));
      }
      THEN("it recorded one event per change, in order, each with its version") {
        const auto events = order.TakeEvents();
        REQUIRE(events.size() == 5);
        const OrderEventType types[] = {OrderEventType::kCreated, OrderEventType::kAssigned,
                                        OrderEventType::kPaid, OrderEventType::kDispatched,
                                        OrderEventType::kDelivered};
        for (std::size_t i = 0; i < events.size(); ++i) {
          CAPTURE(i);
          CHECK(events[i].type == types[i]);
          CHECK(events[i].order.version == static_cast<std::int64_t>(i + 1));
          CHECK(events[i].order.updated_at == kCreatedAt + minutes(i));
        }
        CHECK(events.back().order == order.snapshot());
      }
    }

    WHEN("a command is rejected after it was created") {
      REQUIRE_FALSE(order.Deliver(kNow).has_value());

      THEN("the created event is still the only one pending") {
        const auto events = order.TakeEvents();
        REQUIRE(events.size() == 1);
        CHECK(events[0].type == OrderEventType::kCreated);
        CHECK(order.version() == 1);
      }
    }
  }
}
