// The payments commands on in-memory fakes: registering against the order
// projection, and confirm / fail / refund.
#include "logistics/payments/application/payment_commands.hpp"

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <variant>

#include "support/fixtures/payments_world.hpp"

namespace {

using logistics::common::PortError;
using logistics::payments::application::ConfirmPayment;
using logistics::payments::application::FailPayment;
using logistics::payments::application::PaymentCommandPorts;
using logistics::payments::application::PaymentFailure;
using logistics::payments::application::PaymentResult;
using logistics::payments::application::RefundPayment;
using logistics::payments::application::RegisterPayment;
using logistics::payments::application::RegisterPaymentCommand;
using logistics::payments::domain::Code;
using logistics::payments::domain::OrderView;
using logistics::payments::domain::PaymentError;
using logistics::payments::domain::PaymentEventType;
using logistics::payments::domain::PaymentRejection;
using logistics::payments::domain::PaymentSnapshot;
using logistics::payments::domain::PaymentStatus;
using logistics::testing::SequentialIdGenerator;

const std::string& kOrderId = logistics::testing::kWorldOrderId;
const std::string& kOtherOrderId = logistics::testing::kWorldOtherOrderId;
using World = logistics::testing::PaymentsWorld;

PaymentRejection RejectionOf(const PaymentFailure& failure) {
  const auto* rejection = std::get_if<PaymentRejection>(&failure);
  if (rejection == nullptr)
    FAIL("expected a rejection, got " << std::get<PortError>(failure).message);
  return *rejection;
}

PortError PortErrorOf(const PaymentFailure& failure) {
  const auto* error = std::get_if<PortError>(&failure);
  if (error == nullptr)
    FAIL("expected a PortError, got " << std::get<PaymentRejection>(failure).message);
  return *error;
}

enum class Command { kConfirm, kFail, kRefund };

const char* NameOf(Command command) {
  switch (command) {
    case Command::kConfirm:
      return "confirm";
    case Command::kFail:
      return "fail";
    case Command::kRefund:
      return "refund";
  }
  return "?";
}

PaymentResult<PaymentSnapshot> Run(World& world, Command command, const std::string& payment_id) {
  switch (command) {
    case Command::kConfirm:
      return ConfirmPayment(world.ports).Execute(payment_id);
    case Command::kFail:
      return FailPayment(world.ports).Execute(payment_id, "card declined");
    case Command::kRefund:
      return RefundPayment(world.ports).Execute(payment_id, "customer asked");
  }
  FAIL("unknown command");
  return logistics::payments::application::Failed(PortError{"unreachable"});  // FAIL threw
}

}  // namespace

SCENARIO("registering a payment of a known order stores it PENDING with one registered event",
         "[payments][application]") {
  GIVEN("an order the projection has seen as CREATED") {
    World world;
    world.SeeOrder(kOrderId, "CREATED");

    WHEN("a payment of 120.5 is registered without a currency") {
      auto registered = world.Register("120.5");

      THEN("it is PENDING at version 1, in USD, with a new id and the clock's time") {
        REQUIRE(registered.has_value());
        CHECK(registered->payment_id == SequentialIdGenerator::IdAt(1));
        CHECK(registered->order_id == kOrderId);
        CHECK(registered->amount.ToString() == "120.50");
        CHECK(registered->currency.code() == "USD");
        CHECK(registered->status == PaymentStatus::kPending);
        CHECK(registered->version == 1);
        CHECK(registered->created_at == world.clock.Now());
        CHECK(registered->updated_at == world.clock.Now());
      }
      THEN("the stored payment is the one returned, announced by one registered event") {
        REQUIRE(registered.has_value());
        CHECK(world.payments.Stored(registered->payment_id) == *registered);
        REQUIRE(world.unit_of_work.saved_events.size() == 1);
        CHECK(world.unit_of_work.saved_events[0].type == PaymentEventType::kRegistered);
        CHECK(world.unit_of_work.saved_events[0].payment == *registered);
      }
      THEN("the projection was only read") {
        CHECK(world.orders.record_calls() == 0);
        CHECK(world.orders.Stored(kOrderId) == OrderView{kOrderId, "CREATED", 1});
      }
    }

    WHEN("a payment is registered in EUR") {
      auto registered = world.Register("10", "EUR");

      THEN("it keeps the currency") {
        REQUIRE(registered.has_value());
        CHECK(registered->currency.code() == "EUR");
        CHECK(registered->amount.cents() == 1000);
      }
    }
  }
}

TEST_CASE("a payment of an order the service has never heard of is rejected as not found",
          "[payments][application]") {
  World world;
  world.SeeOrder(kOtherOrderId, "CREATED");

  auto registered = world.Register();
  REQUIRE_FALSE(registered.has_value());
  const auto rejection = RejectionOf(registered.error());
  CHECK(rejection.error == PaymentError::kOrderNotFound);
  CHECK(rejection.message == "order " + kOrderId + " not found");
  CHECK(world.unit_of_work.save_calls() == 0);
  CHECK(world.orders.record_calls() == 0);
  CHECK(world.ids.issued() == 0);
}

SCENARIO("an order the projection has not seen is paid on the orders service's answer",
         "[payments][application]") {
  GIVEN("an empty projection and the orders service's answer for the order") {
    World world;
    const OrderView fetched{kOrderId, "ASSIGNED", 2};

    WHEN("a payment is registered with that answer") {
      auto registered = world.Register("100.00", std::nullopt, fetched);

      THEN("the payment is registered") {
        REQUIRE(registered.has_value());
        CHECK(registered->status == PaymentStatus::kPending);
        CHECK(world.payments.size() == 1);
      }
      THEN("the answer is recorded in the projection, so it is not asked again") {
        CHECK(world.orders.Stored(kOrderId) == fetched);
        CHECK(world.orders.applied_records() == 1);
      }
    }
  }
}

TEST_CASE("an answer about another order does not count as knowing the order",
          "[payments][application]") {
  World world;
  auto registered = world.Register("100.00", std::nullopt, OrderView{kOtherOrderId, "CREATED", 1});
  REQUIRE_FALSE(registered.has_value());
  CHECK(RejectionOf(registered.error()).error == PaymentError::kOrderNotFound);
  CHECK(world.orders.size() == 0);
  CHECK(world.payments.size() == 0);
}

TEST_CASE("a payment of a cancelled, in-transit or delivered order is rejected as not payable",
          "[payments][application]") {
  const std::string status = GENERATE(as<std::string>{}, "CANCELLED", "IN_TRANSIT", "DELIVERED");
  const bool fetched = GENERATE(false, true);
  CAPTURE(status, fetched);
  World world;
  std::optional<OrderView> answer;
  if (fetched) {
    answer = OrderView{kOrderId, status, 4};
  } else {
    world.SeeOrder(kOrderId, status, 4);
  }

  auto registered = world.Register("100.00", std::nullopt, answer);
  REQUIRE_FALSE(registered.has_value());
  const auto rejection = RejectionOf(registered.error());
  CHECK(rejection.error == PaymentError::kOrderNotPayable);
  CHECK(rejection.message == "cannot register a payment for order " + kOrderId + ": it is " +
                                 status +
                                 ", and only an order that is not CANCELLED, IN_TRANSIT or "
                                 "DELIVERED can be paid");
  CHECK(world.unit_of_work.save_calls() == 0);
  CHECK(world.payments.size() == 0);
  CHECK(world.orders.Stored(kOrderId) == OrderView{kOrderId, status, 4});
}

TEST_CASE("a payment can be registered while the order is created, assigned or paid",
          "[payments][application]") {
  const std::string status = GENERATE(as<std::string>{}, "CREATED", "ASSIGNED", "PAID");
  CAPTURE(status);
  World world;
  world.SeeOrder(kOrderId, status, 3);
  CHECK(world.Register().has_value());
  CHECK(world.payments.size() == 1);
}

TEST_CASE("an answer newer than the projection wins and is recorded", "[payments][application]") {
  // The projection lags: the cancelled event is still on its way, but the
  // orders service already said CANCELLED.
  World world;
  world.SeeOrder(kOrderId, "CREATED", 1);

  auto registered = world.Register("100.00", std::nullopt, OrderView{kOrderId, "CANCELLED", 3});
  REQUIRE_FALSE(registered.has_value());
  CHECK(RejectionOf(registered.error()).error == PaymentError::kOrderNotPayable);
  CHECK(world.orders.Stored(kOrderId) == OrderView{kOrderId, "CANCELLED", 3});
}

TEST_CASE("an answer older than the projection changes nothing", "[payments][application]") {
  World world;
  world.SeeOrder(kOrderId, "CANCELLED", 3);

  auto registered = world.Register("100.00", std::nullopt, OrderView{kOrderId, "CREATED", 1});
  REQUIRE_FALSE(registered.has_value());
  CHECK(RejectionOf(registered.error()).error == PaymentError::kOrderNotPayable);
  CHECK(world.orders.Stored(kOrderId) == OrderView{kOrderId, "CANCELLED", 3});
  CHECK(world.orders.record_calls() == 0);
}

TEST_CASE("a bad amount or currency is rejected before the order is looked up",
          "[payments][application]") {
  struct Row {
    const char* amount;
    std::optional<std::string> currency;
    PaymentError error;
  };
  const Row row = GENERATE(values<Row>({
      {"1e2", std::nullopt, PaymentError::kAmountInvalid},
      {"10.001", "EUR", PaymentError::kAmountInvalid},
      {"0", std::nullopt, PaymentError::kAmountNotPositive},
      {"-5", std::nullopt, PaymentError::kAmountNotPositive},
      {"100000000.00", std::nullopt, PaymentError::kAmountTooLarge},
      {"10", "usd", PaymentError::kCurrencyInvalid},
      {"10", "", PaymentError::kCurrencyInvalid},
      // Both wrong: the amount comes first.
      {"abc", "usd", PaymentError::kAmountInvalid},
  }));
  CAPTURE(row.amount, row.currency);
  World world;  // the order is unknown: a lookup would answer ORDER_NOT_FOUND

  auto registered = world.Register(row.amount, row.currency);
  REQUIRE_FALSE(registered.has_value());
  CHECK(Code(RejectionOf(registered.error()).error) == Code(row.error));
  CHECK(world.orders.find_calls() == 0);
  CHECK(world.unit_of_work.save_calls() == 0);
}

TEST_CASE("a command on an unknown payment is rejected as not found", "[payments][application]") {
  const Command command = GENERATE(Command::kConfirm, Command::kFail, Command::kRefund);
  CAPTURE(NameOf(command));
  World world;
  world.SeeOrder(kOrderId, "CREATED");
  world.MustRegister();
  const std::string unknown = SequentialIdGenerator::IdAt(99);

  auto result = Run(world, command, unknown);
  REQUIRE_FALSE(result.has_value());
  const auto rejection = RejectionOf(result.error());
  CHECK(rejection.error == PaymentError::kPaymentNotFound);
  CHECK(rejection.message == "payment " + unknown + " not found");
  CHECK(world.unit_of_work.save_calls() == 1);
}

SCENARIO("a payment is confirmed, confirmed again and refunded through the use cases",
         "[payments][application]") {
  using std::chrono::seconds;
  World world;
  world.SeeOrder(kOrderId, "CREATED");
  const PaymentSnapshot registered = world.MustRegister();
  const std::string id = registered.payment_id;

  GIVEN("a pending payment") {
    WHEN("it is confirmed") {
      world.clock.Advance(seconds(10));
      auto confirmed = ConfirmPayment(world.ports).Execute(id);

      THEN("it is CONFIRMED at version 2, stored, and announced once") {
        REQUIRE(confirmed.has_value());
        CHECK(confirmed->status == PaymentStatus::kConfirmed);
        CHECK(confirmed->version == 2);
        CHECK(confirmed->updated_at == registered.created_at + seconds(10));
        CHECK(world.payments.Stored(id) == *confirmed);
        REQUIRE(world.unit_of_work.saved_events.size() == 2);
        CHECK(world.unit_of_work.saved_events[1].type == PaymentEventType::kConfirmed);
        CHECK(world.unit_of_work.saved_events[1].payment == *confirmed);
      }

      AND_WHEN("it is confirmed again") {
        REQUIRE(confirmed.has_value());
        world.clock.Advance(seconds(10));
        auto again = ConfirmPayment(world.ports).Execute(id);

        THEN("the payment comes back as stored and nothing is saved or announced") {
          REQUIRE(again.has_value());
          CHECK(*again == *confirmed);
          CHECK(world.unit_of_work.save_calls() == 2);
          CHECK(world.unit_of_work.saved_events.size() == 2);
        }
      }

      AND_WHEN("it is refunded with a reason") {
        world.clock.Advance(seconds(10));
        auto refunded = RefundPayment(world.ports).Execute(id, "customer asked");

        THEN("it is REFUNDED at version 3 with the reason, stored and announced") {
          REQUIRE(refunded.has_value());
          CHECK(refunded->status == PaymentStatus::kRefunded);
          CHECK(refunded->refund_reason == "customer asked");
          CHECK(refunded->version == 3);
          CHECK(world.payments.Stored(id) == *refunded);
          REQUIRE(world.unit_of_work.saved_events.size() == 3);
          CHECK(world.unit_of_work.saved_events[2].type == PaymentEventType::kRefunded);
          CHECK(world.unit_of_work.saved_events[2].reason == "customer asked");
        }
      }
    }

    WHEN("it fails") {
      auto failed = FailPayment(world.ports).Execute(id, "card declined");

      THEN("it is FAILED with the reason, stored and announced") {
        REQUIRE(failed.has_value());
        CHECK(failed->status == PaymentStatus::kFailed);
        CHECK(failed->failure_reason == "card declined");
        CHECK(world.payments.Stored(id) == *failed);
        REQUIRE(world.unit_of_work.saved_events.size() == 2);
        CHECK(world.unit_of_work.saved_events[1].type == PaymentEventType::kFailed);
        CHECK(world.unit_of_work.saved_events[1].reason == "card declined");
      }
    }
  }
}

TEST_CASE("a payment command the payment rejects saves nothing", "[payments][application]") {
  World world;
  world.SeeOrder(kOrderId, "CREATED");
  const PaymentSnapshot payment = world.MustRegister();

  SECTION("refunding a pending payment") {
    auto refunded = RefundPayment(world.ports).Execute(payment.payment_id, std::nullopt);
    REQUIRE_FALSE(refunded.has_value());
    CHECK(RejectionOf(refunded.error()).error == PaymentError::kInvalidTransition);
  }
  SECTION("failing without a reason") {
    auto failed = FailPayment(world.ports).Execute(payment.payment_id, "  ");
    REQUIRE_FALSE(failed.has_value());
    CHECK(RejectionOf(failed.error()).error == PaymentError::kReasonEmpty);
  }
  CHECK(world.unit_of_work.save_calls() == 1);
  CHECK(world.payments.Stored(payment.payment_id) == payment);
}

TEST_CASE("a storage failure while saving a payment reaches the caller unchanged",
          "[payments][application]") {
  World world;
  world.SeeOrder(kOrderId, "CREATED");

  SECTION("when registering") {
    world.unit_of_work.FailNextSave("disk I/O error");
    auto failed = world.Register();
    REQUIRE_FALSE(failed.has_value());
    CHECK(PortErrorOf(failed.error()).message == "disk I/O error");
    CHECK(world.payments.size() == 0);
    CHECK(world.unit_of_work.saved_events.empty());
  }
  SECTION("when changing a payment") {
    const Command command = GENERATE(Command::kConfirm, Command::kFail);
    CAPTURE(NameOf(command));
    const PaymentSnapshot payment = world.MustRegister();
    world.unit_of_work.FailNextSave("database is locked");
    auto failed = Run(world, command, payment.payment_id);
    REQUIRE_FALSE(failed.has_value());
    CHECK(PortErrorOf(failed.error()).message == "database is locked");
    CHECK(world.payments.Stored(payment.payment_id) == payment);
    CHECK(world.unit_of_work.saved_events.size() == 1);
  }
}

TEST_CASE("a storage failure while reading for a payment command reaches the caller unchanged",
          "[payments][application]") {
  World world;
  world.SeeOrder(kOrderId, "CREATED");
  const PaymentSnapshot payment = world.MustRegister();

  SECTION("the projection, when registering") {
    world.orders.FailNextCall("no such table: order_view");
    auto failed = world.Register();
    REQUIRE_FALSE(failed.has_value());
    CHECK(PortErrorOf(failed.error()).message == "no such table: order_view");
  }
  SECTION("the payment, when changing it") {
    const Command command = GENERATE(Command::kConfirm, Command::kFail, Command::kRefund);
    CAPTURE(NameOf(command));
    world.payments.FailNextRead("no such table: payments");
    auto failed = Run(world, command, payment.payment_id);
    REQUIRE_FALSE(failed.has_value());
    CHECK(PortErrorOf(failed.error()).message == "no such table: payments");
  }
}

TEST_CASE("a storage failure while recording a fetched answer reaches the caller unchanged",
          "[payments][application]") {
  // A projection whose Find works and whose Record fails, as when the disk
  // fills between the two.
  class FailingRecords final : public logistics::payments::application::OrderProjection {
   public:
    PaymentResult<std::optional<OrderView>> Find(std::string_view) override {
      return std::optional<OrderView>{};
    }
    PaymentResult<bool> Record(const OrderView&) override {
      return logistics::payments::application::Failed(PortError{"disk full"});
    }
  };
  World world;
  FailingRecords projection;
  PaymentCommandPorts ports{world.payments, world.unit_of_work, projection, world.clock};

  auto registered = RegisterPayment(ports, world.ids)
                        .Execute(RegisterPaymentCommand{kOrderId, "10", std::nullopt,
                                                        OrderView{kOrderId, "CREATED", 1}});
  REQUIRE_FALSE(registered.has_value());
  CHECK(PortErrorOf(registered.error()).message == "disk full");
  CHECK(world.payments.size() == 0);
}
