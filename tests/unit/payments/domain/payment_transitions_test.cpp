// The Payment aggregate: registration and its state machine (SPEC §2).
#include "logistics/payments/domain/payment.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "support/text_rows.hpp"
#include "support/transition_table.hpp"

namespace {

using namespace logistics::payments::domain;
using namespace logistics::testing;  // kCreatedAt, kUpdatedAt, kNow: the table's instants

const std::string kPaymentId = "01936d4b-7c1e-7a2b-8c3d-000000000001";
const std::string kOrderId = "01936d4b-7c1e-7a2b-8c3d-4e5f60718293";

Money Amount(const char* text) {
  auto money = Money::Parse(text);
  REQUIRE(money.has_value());
  return *money;
}

Currency Eur() {
  auto currency = Currency::Parse("EUR");
  REQUIRE(currency.has_value());
  return *currency;
}

// A payment as the repository would hand it back: mid-life, version 3.
Payment StoredPayment(PaymentStatus status) {
  PaymentSnapshot snapshot{
      .payment_id = kPaymentId,
      .order_id = kOrderId,
      .amount = Amount("120.50"),
      .currency = Eur(),
      .status = status,
      .failure_reason = std::nullopt,
      .refund_reason = std::nullopt,
      .created_at = kCreatedAt,
      .updated_at = kUpdatedAt,
      .version = 3,
  };
  if (status == PaymentStatus::kFailed) snapshot.failure_reason = "earlier failure";
  return Payment::Restore(snapshot);
}

enum class Command { kConfirm, kFail, kRefund };

struct Transition {
  PaymentStatus from;
  Command command;
  Outcome outcome;
  PaymentStatus to;  // for kChanges
};

using C = Command;
using S = PaymentStatus;
using O = Outcome;

// The reason the table fails and refunds with.
const std::string kReason = "card declined";

// Every command, with the arguments the table runs it with.
using PaymentCommand = CommandSpec<Command, Payment, PaymentRejection, PaymentEventType>;
const std::vector<PaymentCommand> kCommands = {
    {C::kConfirm, "confirm", PaymentEventType::kConfirmed,
     [](Payment& payment) { return payment.Confirm(kNow); }},
    {C::kFail, "fail", PaymentEventType::kFailed,
     [](Payment& payment) { return payment.Fail(kReason, kNow); }},
    {C::kRefund, "refund", PaymentEventType::kRefunded,
     [](Payment& payment) { return payment.Refund(kReason, kNow); }},
};

// The payments state machine, every status against every command.
const std::vector<Transition> kTransitions = {
    {S::kPending, C::kConfirm, O::kChanges, S::kConfirmed},
    {S::kPending, C::kFail, O::kChanges, S::kFailed},
    {S::kPending, C::kRefund, O::kRejected, S::kPending},

    {S::kConfirmed, C::kConfirm, O::kNoChange, S::kConfirmed},
    {S::kConfirmed, C::kFail, O::kRejected, S::kConfirmed},
    {S::kConfirmed, C::kRefund, O::kChanges, S::kRefunded},

    {S::kFailed, C::kConfirm, O::kRejected, S::kFailed},
    {S::kFailed, C::kFail, O::kRejected, S::kFailed},
    {S::kFailed, C::kRefund, O::kRejected, S::kFailed},

    {S::kRefunded, C::kConfirm, O::kRejected, S::kRefunded},
    {S::kRefunded, C::kFail, O::kRejected, S::kRefunded},
    {S::kRefunded, C::kRefund, O::kRejected, S::kRefunded},
};

// How a row of kTransitions drives a payment (see support/transition_table.hpp):
// every rejection is an invalid transition.
struct PaymentTable {
  using Row = Transition;

  static Payment Stored(const Row& row) { return StoredPayment(row.from); }
  static const PaymentCommand& CommandOf(const Row& row) { return SpecOf(kCommands, row.command); }
  static Verdict<PaymentStatus, PaymentError> VerdictOf(const Row& row) {
    return {row.outcome, row.to, PaymentError::kInvalidTransition};
  }
  // Fail and refund keep their reason, in the payment and in its event.
  static void AlsoChanged(const Row& row, PaymentSnapshot& expected) {
    if (row.command == C::kFail) expected.failure_reason = kReason;
    if (row.command == C::kRefund) expected.refund_reason = kReason;
  }
  static void CheckEvent(const Row& row, const PaymentEvent& event,
                         const PaymentSnapshot& expected) {
    CHECK(event.payment == expected);
    CHECK(event.reason ==
          (row.command == C::kConfirm ? std::nullopt : std::optional<std::string>(kReason)));
  }
};

}  // namespace

TEST_CASE("a new payment is PENDING at version 1 with the amount and currency it was given",
          "[payments][domain]") {
  auto payment = Payment::Register(kPaymentId, kOrderId, Amount("120.50"), Eur(), kNow);
  REQUIRE(payment.has_value());
  const PaymentSnapshot& snapshot = payment->snapshot();
  CHECK(snapshot.payment_id == kPaymentId);
  CHECK(payment->id() == kPaymentId);
  CHECK(snapshot.order_id == kOrderId);
  CHECK(snapshot.amount.cents() == 12050);
  CHECK(snapshot.currency.code() == "EUR");
  CHECK(snapshot.status == PaymentStatus::kPending);
  CHECK(payment->status() == PaymentStatus::kPending);
  CHECK_FALSE(snapshot.failure_reason.has_value());
  CHECK_FALSE(snapshot.refund_reason.has_value());
  CHECK(snapshot.created_at == kNow);
  CHECK(snapshot.updated_at == kNow);
  CHECK(snapshot.version == 1);
  CHECK(payment->version() == 1);
}

TEST_CASE("a new payment records exactly one registered event carrying the new payment",
          "[payments][domain]") {
  auto payment = Payment::Register(kPaymentId, kOrderId, Amount("1"), Currency::Default(), kNow);
  REQUIRE(payment.has_value());
  const auto events = payment->TakeEvents();
  REQUIRE(events.size() == 1);
  CHECK(events[0].type == PaymentEventType::kRegistered);
  CHECK(events[0].payment == payment->snapshot());
  CHECK_FALSE(events[0].reason.has_value());

  AND_THEN("taking the events again gives nothing") { CHECK(payment->TakeEvents().empty()); }
}

TEST_CASE("the payment transition table covers every status and command", "[payments][domain]") {
  ForEveryStatusAndCommand(
      kTransitions, kAllPaymentStatuses, kCommands,
      [](Command, const std::vector<Transition>& rows) { CHECK(rows.size() == 1); });
}

TEST_CASE("each payment command is allowed or rejected as the state machine says",
          "[payments][domain]") {
  const Transition row = GENERATE(from_range(kTransitions));
  CAPTURE(ToString(row.from), SpecOf(kCommands, row.command).name);
  CheckTransitionRow<PaymentTable>(row);
}

TEST_CASE("confirming a confirmed payment is a success that changes nothing",
          "[payments][domain]") {
  Payment payment = StoredPayment(S::kPending);
  REQUIRE(payment.Confirm(kNow).has_value());
  const PaymentSnapshot confirmed = payment.snapshot();
  REQUIRE(payment.TakeEvents().size() == 1);

  REQUIRE(payment.Confirm(kNow + std::chrono::minutes(1)).has_value());
  CHECK(payment.snapshot() == confirmed);
  CHECK(payment.version() == 4);
  CHECK(payment.snapshot().updated_at == kNow);
  CHECK(payment.TakeEvents().empty());
}

TEST_CASE("a rejected payment command says what the payment is and what the command needs",
          "[payments][domain]") {
  struct Row {
    PaymentStatus from;
    Command command;
    const char* message;
  };
  const auto row = GENERATE(values<Row>({
      {S::kFailed, C::kConfirm,
       "cannot confirm a payment that is FAILED: only a PENDING payment can be confirmed"},
      {S::kRefunded, C::kConfirm,
       "cannot confirm a payment that is REFUNDED: only a PENDING payment can be confirmed"},
      {S::kConfirmed, C::kFail,
       "cannot fail a payment that is CONFIRMED: only a PENDING payment can fail; refund a "
       "CONFIRMED payment instead"},
      {S::kFailed, C::kFail, "cannot fail a payment that is FAILED: only a PENDING payment can fail"},
      {S::kPending, C::kRefund,
       "cannot refund a payment that is PENDING: only a CONFIRMED payment can be refunded"},
      {S::kRefunded, C::kRefund,
       "cannot refund a payment that is REFUNDED: only a CONFIRMED payment can be refunded"},
  }));
  const PaymentCommand& command = SpecOf(kCommands, row.command);
  CAPTURE(ToString(row.from), command.name);
  Payment payment = StoredPayment(row.from);
  const auto result = command.run(payment);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().message == row.message);
}

TEST_CASE("a failure reason is required, not blank, and at most 500 characters",
          "[payments][domain]") {
  const auto row = GENERATE(from_range(
      RequiredTextRows(500, 'r', PaymentError::kReasonEmpty, PaymentError::kReasonTooLong)));
  CAPTURE(row.text);
  Payment payment = StoredPayment(S::kPending);
  const PaymentSnapshot before = payment.snapshot();
  const auto result = payment.Fail(row.text, kNow);
  if (!row.error) {
    const auto event = TheOnlyEvent(payment, result);
    CHECK(payment.snapshot().failure_reason == row.text);
    CHECK(event.reason == row.text);
  } else {
    CheckRejected(payment, before, result, *row.error);
  }
}

TEST_CASE("a bad failure reason is reported before the payment's status", "[payments][domain]") {
  // The request is wrong whatever the payment's state, so that is what the
  // client hears first.
  Payment payment = StoredPayment(S::kRefunded);
  const auto empty = payment.Fail("", kNow);
  REQUIRE_FALSE(empty.has_value());
  CHECK(empty.error().error == PaymentError::kReasonEmpty);
  CHECK(empty.error().message == "reason must not be empty or blank: say why the payment failed");

  const auto long_reason = payment.Fail(std::string(501, 'r'), kNow);
  REQUIRE_FALSE(long_reason.has_value());
  CHECK(long_reason.error().error == PaymentError::kReasonTooLong);
  CHECK(long_reason.error().message == "reason must be at most 500 characters (got 501)");
}

TEST_CASE("a refund reason is optional and at most 500 characters", "[payments][domain]") {
  const auto row = GENERATE(from_range(OptionalTextRows(500, 'r')));
  CAPTURE(row.text);
  Payment payment = StoredPayment(S::kConfirmed);
  CheckOptionalReasonRow(
      row, payment, [](Payment& p, const auto& reason) { return p.Refund(reason, kNow); },
      &PaymentSnapshot::refund_reason, PaymentError::kReasonTooLong);
  if (row.accepted) CHECK(payment.status() == S::kRefunded);
}

SCENARIO("a payment goes from registration to refund", "[payments][domain]") {
  GIVEN("a new payment") {
    auto registered = Payment::Register(kPaymentId, kOrderId, Amount("99.99"), Eur(), kCreatedAt);
    REQUIRE(registered.has_value());
    Payment payment = std::move(*registered);

    WHEN("it is confirmed, confirmed again and refunded, a minute apart") {
      using std::chrono::minutes;
      REQUIRE(payment.Confirm(kCreatedAt + minutes(1)).has_value());
      REQUIRE(payment.Confirm(kCreatedAt + minutes(2)).has_value());
      REQUIRE(payment.Refund(std::nullopt, kCreatedAt + minutes(3)).has_value());

      THEN("it is REFUNDED at version 3, created then and updated last") {
        CHECK(payment.status() == S::kRefunded);
        CHECK(payment.version() == 3);
        CHECK(payment.snapshot().created_at == kCreatedAt);
        CHECK(payment.snapshot().updated_at == kCreatedAt + minutes(3));
        CHECK_FALSE(payment.snapshot().refund_reason.has_value());
        CHECK(payment.snapshot().amount.ToString() == "99.99");
      }
      THEN("it recorded one event per change, in order, each with its version") {
        const auto events = payment.TakeEvents();
        REQUIRE(events.size() == 3);
        CHECK(events[0].type == PaymentEventType::kRegistered);
        CHECK(events[1].type == PaymentEventType::kConfirmed);
        CHECK(events[2].type == PaymentEventType::kRefunded);
        for (std::size_t i = 0; i < events.size(); ++i) {
          CAPTURE(i);
          CHECK(events[i].payment.version == static_cast<std::int64_t>(i + 1));
        }
        CHECK_FALSE(events[2].reason.has_value());
        CHECK(events.back().payment == payment.snapshot());
      }
    }

    WHEN("it fails") {
      REQUIRE(payment.Fail(kReason, kNow).has_value());

      THEN("it is FAILED with the reason, and can be neither confirmed nor refunded") {
        CHECK(payment.status() == S::kFailed);
        CHECK(payment.snapshot().failure_reason == kReason);
        CHECK_FALSE(payment.Confirm(kNow).has_value());
        CHECK_FALSE(payment.Refund(std::nullopt, kNow).has_value());
        CHECK(payment.version() == 2);
        CHECK(payment.TakeEvents().size() == 2);
      }
    }
  }
}
