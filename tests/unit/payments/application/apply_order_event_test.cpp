// ApplyOrderEvent: the payments service keeps its order projection current
// and compensates the payments of a cancelled order (SPEC §2).
#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "logistics/payments/application/payment_commands.hpp"
#include "support/fixtures/payments_world.hpp"

namespace {

using logistics::common::PortError;
using logistics::payments::application::ApplyOrderEvent;
using logistics::payments::application::FailPayment;
using logistics::payments::application::kOrderCancelledReason;
using logistics::payments::application::PaymentFailure;
using logistics::payments::application::RefundPayment;
using logistics::payments::application::RegisterPayment;
using logistics::payments::application::RegisterPaymentCommand;
using logistics::payments::domain::OrderView;
using logistics::payments::domain::PaymentError;
using logistics::payments::domain::PaymentEventType;
using logistics::payments::domain::PaymentRejection;
using logistics::payments::domain::PaymentSnapshot;
using logistics::payments::domain::PaymentStatus;

const std::string& kOrderId = logistics::testing::kWorldOrderId;
const std::string& kOtherOrderId = logistics::testing::kWorldOtherOrderId;

// Payments of 25.00, confirmed or not, in a world of fakes.
struct World : logistics::testing::PaymentsWorld {
  PaymentSnapshot MustRegister(const std::string& order_id,
                               std::optional<OrderView> fetched = std::nullopt) {
    return PaymentsWorld::MustRegister(order_id, "25.00", std::move(fetched));
  }
  PaymentSnapshot MustConfirm(const PaymentSnapshot& payment) {
    return PaymentsWorld::MustConfirm(payment.payment_id);
  }
};

PortError PortErrorOf(const PaymentFailure& failure) {
  const auto* error = std::get_if<PortError>(&failure);
  if (error == nullptr)
    FAIL("expected a PortError, got " << std::get<PaymentRejection>(failure).message);
  return *error;
}

}  // namespace

SCENARIO("cancelling an order fails its pending payments and refunds its confirmed ones",
         "[payments][application]") {
  using std::chrono::seconds;

  GIVEN("an order with a PENDING, a CONFIRMED, a FAILED and a REFUNDED payment") {
    World world;
    world.orders.Put(OrderView{kOrderId, "CREATED", 1});
    world.orders.Put(OrderView{kOtherOrderId, "CREATED", 1});
    const PaymentSnapshot pending = world.MustRegister(kOrderId);
    const PaymentSnapshot confirmed = world.MustConfirm(world.MustRegister(kOrderId));
    const PaymentSnapshot failed_before = [&] {
      auto failed = FailPayment(world.ports).Execute(world.MustRegister(kOrderId).payment_id,
                                                     "card declined");
      REQUIRE(failed.has_value());
      return *failed;
    }();
    const PaymentSnapshot refunded_before = [&] {
      const PaymentSnapshot paid = world.MustConfirm(world.MustRegister(kOrderId));
      auto refunded = RefundPayment(world.ports).Execute(paid.payment_id, std::nullopt);
      REQUIRE(refunded.has_value());
      return *refunded;
    }();
    const PaymentSnapshot of_other_order = world.MustRegister(kOtherOrderId);
    const std::size_t events_before = world.unit_of_work.saved_events.size();
    const std::size_t saves_before = world.unit_of_work.save_calls();

    WHEN("the order's cancelled event arrives") {
      world.clock.Advance(seconds(30));
      auto changed = world.Apply(kOrderId, "CANCELLED", 2);

      THEN("the PENDING payment is FAILED and the CONFIRMED one REFUNDED, oldest first") {
        REQUIRE(changed.has_value());
        REQUIRE(changed->size() == 2);
        const PaymentSnapshot& failed = (*changed)[0];
        const PaymentSnapshot& refunded = (*changed)[1];
        CHECK(failed.payment_id == pending.payment_id);
        CHECK(failed.status == PaymentStatus::kFailed);
        CHECK(failed.failure_reason == std::string(kOrderCancelledReason));
        CHECK(failed.version == pending.version + 1);
        CHECK(failed.updated_at == world.clock.Now());
        CHECK(refunded.payment_id == confirmed.payment_id);
        CHECK(refunded.status == PaymentStatus::kRefunded);
        CHECK(refunded.refund_reason == std::string(kOrderCancelledReason));
        CHECK(refunded.version == confirmed.version + 1);
        CHECK(world.payments.Stored(failed.payment_id) == failed);
        CHECK(world.payments.Stored(refunded.payment_id) == refunded);
      }
      THEN("each changed payment was saved with exactly one event carrying the reason") {
        REQUIRE(changed.has_value());
        CHECK(world.unit_of_work.save_calls() == saves_before + 2);
        const auto& events = world.unit_of_work.saved_events;
        REQUIRE(events.size() == events_before + 2);
        CHECK(events[events_before].type == PaymentEventType::kFailed);
        CHECK(events[events_before].payment == (*changed)[0]);
        CHECK(events[events_before].reason == std::string(kOrderCancelledReason));
        CHECK(events[events_before + 1].type == PaymentEventType::kRefunded);
        CHECK(events[events_before + 1].payment == (*changed)[1]);
        CHECK(events[events_before + 1].reason == std::string(kOrderCancelledReason));
      }
      THEN("the FAILED and REFUNDED payments and the other order's payment are left alone") {
        CHECK(world.payments.Stored(failed_before.payment_id) == failed_before);
        CHECK(world.payments.Stored(refunded_before.payment_id) == refunded_before);
        CHECK(world.payments.Stored(of_other_order.payment_id) == of_other_order);
      }
      THEN("the projection knows the order is cancelled") {
        CHECK(world.orders.Stored(kOrderId) == OrderView{kOrderId, "CANCELLED", 2});
      }

      AND_WHEN("the same event is delivered again") {
        REQUIRE(changed.has_value());
        world.clock.Advance(seconds(30));
        auto again = world.Apply(kOrderId, "CANCELLED", 2);

        THEN("nothing changes, nothing is saved and nothing is announced") {
          REQUIRE(again.has_value());
          CHECK(again->empty());
          CHECK(world.unit_of_work.save_calls() == saves_before + 2);
          CHECK(world.unit_of_work.saved_events.size() == events_before + 2);
          CHECK(world.payments.Stored(pending.payment_id) == (*changed)[0]);
          CHECK(world.payments.Stored(confirmed.payment_id) == (*changed)[1]);
          CHECK(world.orders.Stored(kOrderId) == OrderView{kOrderId, "CANCELLED", 2});
        }
      }
    }
  }
}

TEST_CASE("an order event that is not a cancellation only updates the projection",
          "[payments][application]") {
  World world;
  world.orders.Put(OrderView{kOrderId, "CREATED", 1});
  const PaymentSnapshot pending = world.MustRegister(kOrderId);
  const PaymentSnapshot confirmed = world.MustConfirm(world.MustRegister(kOrderId));
  const std::size_t saves_before = world.unit_of_work.save_calls();

  const std::string status = GENERATE(as<std::string>{}, "ASSIGNED", "PAID", "IN_TRANSIT",
                                      "DELIVERED");
  CAPTURE(status);
  auto changed = world.Apply(kOrderId, status, 2);
  REQUIRE(changed.has_value());
  CHECK(changed->empty());
  CHECK(world.orders.Stored(kOrderId) == OrderView{kOrderId, status, 2});
  CHECK(world.unit_of_work.save_calls() == saves_before);
  CHECK(world.payments.Stored(pending.payment_id) == pending);
  CHECK(world.payments.Stored(confirmed.payment_id) == confirmed);
}

TEST_CASE("the order projection never goes back in version", "[payments][application]") {
  World world;

  REQUIRE(world.Apply(kOrderId, "CREATED", 1).has_value());
  REQUIRE(world.Apply(kOrderId, "PAID", 3).has_value());
  CHECK(world.orders.Stored(kOrderId) == OrderView{kOrderId, "PAID", 3});

  SECTION("an older event arriving late is ignored") {
    REQUIRE(world.Apply(kOrderId, "ASSIGNED", 2).has_value());
    CHECK(world.orders.Stored(kOrderId) == OrderView{kOrderId, "PAID", 3});
  }
  SECTION("an event of the same version is ignored") {
    REQUIRE(world.Apply(kOrderId, "ASSIGNED", 3).has_value());
    CHECK(world.orders.Stored(kOrderId) == OrderView{kOrderId, "PAID", 3});
  }
  SECTION("a newer event replaces the view") {
    REQUIRE(world.Apply(kOrderId, "IN_TRANSIT", 4).has_value());
    CHECK(world.orders.Stored(kOrderId) == OrderView{kOrderId, "IN_TRANSIT", 4});
  }
  SECTION("so a late CREATED does not make a delivered order payable again") {
    REQUIRE(world.Apply(kOrderId, "DELIVERED", 5).has_value());
    REQUIRE(world.Apply(kOrderId, "CREATED", 1).has_value());
    auto registered = RegisterPayment(world.ports, world.ids)
                          .Execute(RegisterPaymentCommand{kOrderId, "5", std::nullopt, {}});
    REQUIRE_FALSE(registered.has_value());
    CHECK(std::get<PaymentRejection>(registered.error()).error == PaymentError::kOrderNotPayable);
  }
}

SCENARIO("compensation runs even when the projection already knew of the cancellation",
         "[payments][application]") {
  GIVEN("a payment registered while the projection still saw the order as CREATED") {
    World world;
    world.orders.Put(OrderView{kOrderId, "CREATED", 1});
    const PaymentSnapshot pending = world.MustRegister(kOrderId);

    AND_GIVEN("a later registration that learnt from the orders service that it is CANCELLED") {
      auto rejected = RegisterPayment(world.ports, world.ids)
                          .Execute(RegisterPaymentCommand{kOrderId, "5", std::nullopt,
                                                          OrderView{kOrderId, "CANCELLED", 2}});
      REQUIRE_FALSE(rejected.has_value());
      REQUIRE(world.orders.Stored(kOrderId) == OrderView{kOrderId, "CANCELLED", 2});

      WHEN("the cancelled event itself arrives, no newer than the projection") {
        auto changed = world.Apply(kOrderId, "CANCELLED", 2);

        THEN("the pending payment is still failed") {
          REQUIRE(changed.has_value());
          REQUIRE(changed->size() == 1);
          CHECK((*changed)[0].payment_id == pending.payment_id);
          CHECK(world.payments.Stored(pending.payment_id)->status == PaymentStatus::kFailed);
        }
      }
    }
  }
}

TEST_CASE("cancelling an order without payments only updates the projection",
          "[payments][application]") {
  World world;
  auto changed = world.Apply(kOrderId, "CANCELLED", 3);
  REQUIRE(changed.has_value());
  CHECK(changed->empty());
  CHECK(world.orders.Stored(kOrderId) == OrderView{kOrderId, "CANCELLED", 3});
  CHECK(world.unit_of_work.save_calls() == 0);
}

TEST_CASE("a storage failure while reacting to an order event reaches the caller unchanged",
          "[payments][application]") {
  World world;
  world.orders.Put(OrderView{kOrderId, "CREATED", 1});
  const PaymentSnapshot pending = world.MustRegister(kOrderId);
  const PaymentSnapshot confirmed = world.MustConfirm(world.MustRegister(kOrderId));

  SECTION("recording the view") {
    world.orders.FailNextCall("database is locked");
    auto changed = world.Apply(kOrderId, "CANCELLED", 2);
    REQUIRE_FALSE(changed.has_value());
    CHECK(PortErrorOf(changed.error()).message == "database is locked");
    CHECK(world.orders.Stored(kOrderId) == OrderView{kOrderId, "CREATED", 1});
    CHECK(world.payments.Stored(pending.payment_id) == pending);
  }
  SECTION("finding the order's payments") {
    world.payments.FailNextRead("no such table: payments");
    auto changed = world.Apply(kOrderId, "CANCELLED", 2);
    REQUIRE_FALSE(changed.has_value());
    CHECK(PortErrorOf(changed.error()).message == "no such table: payments");
    CHECK(world.payments.Stored(pending.payment_id) == pending);
  }
  SECTION("saving a compensated payment, after which a redelivery finishes the job") {
    world.unit_of_work.FailNextSave("disk I/O error");
    auto changed = world.Apply(kOrderId, "CANCELLED", 2);
    REQUIRE_FALSE(changed.has_value());
    CHECK(PortErrorOf(changed.error()).message == "disk I/O error");
    CHECK(world.payments.Stored(pending.payment_id) == pending);
    CHECK(world.payments.Stored(confirmed.payment_id) == confirmed);

    // In production the transaction rolls back (the view too) and the event
    // is redelivered; the fake kept the view, which compensation must not
    // depend on.
    auto redelivered = world.Apply(kOrderId, "CANCELLED", 2);
    REQUIRE(redelivered.has_value());
    CHECK(redelivered->size() == 2);
    CHECK(world.payments.Stored(pending.payment_id)->status == PaymentStatus::kFailed);
    CHECK(world.payments.Stored(confirmed.payment_id)->status == PaymentStatus::kRefunded);
  }
}
