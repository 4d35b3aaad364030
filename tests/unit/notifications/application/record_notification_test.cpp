// RecordNotification: what a handled event leaves behind, and the whole
// plan -> send -> record cycle on fakes.
#include "logistics/notifications/application/record_notification.hpp"

#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "logistics/notifications/application/plan_notification.hpp"
#include "support/fakes/fixed_clock.hpp"
#include "support/fakes/in_memory_notifications.hpp"

namespace {

namespace app = logistics::notifications::application;
using app::EventFacts;
using app::MailOutcome;
using app::NoMailReason;
using app::NotificationPlan;
using app::PlanNotification;
using app::RecordNotification;
using app::RecordOutcome;
using app::SendFailure;
using logistics::notifications::domain::NotificationKind;
using logistics::notifications::domain::OrderContact;
using logistics::notifications::domain::PaymentContact;
using logistics::testing::FixedClock;
using logistics::testing::InMemoryContactProjection;
using logistics::testing::InMemorySentNotifications;
using logistics::testing::RecordingMailSender;

OrderContact Order(std::int64_t version, std::string status) {
  return OrderContact{
      "order-1", "TRK-1",           "Ana",  std::string("ana@example.com"), "Madrid",
      "Lisbon",  std::move(status), version};
}

EventFacts OrderEvent(std::string event_id, std::string_view type, OrderContact order) {
  EventFacts facts;
  facts.event_id = std::move(event_id);
  facts.type = std::string(type);
  facts.order = std::move(order);
  return facts;
}

// The service's handling of one event, as the transport will run it: plan,
// send outside the transaction, record.
struct Service {
  InMemoryContactProjection contacts;
  InMemorySentNotifications sent;
  RecordingMailSender sender;
  FixedClock clock;
  PlanNotification plan{contacts, sent, "mail.test"};
  RecordNotification record{contacts, sent, clock};

  // Returns false when the send failed (the transport would nak or dead-letter).
  bool Handle(const EventFacts& facts) {
    auto planned = plan.Execute(facts);
    REQUIRE(planned.has_value());
    if (const app::PlannedMail* mail = planned->mail()) {
      if (!sender.Send(mail->mail, mail->message_id)) return false;
    }
    auto recorded = record.Execute(*planned, MailOutcome::kSent);
    REQUIRE(recorded.has_value());
    return true;
  }
};

}  // namespace

SCENARIO("an older order event does not overwrite the projection", "[notifications][application]") {
  Service service;
  GIVEN("the projection holds version 3 of the order") {
    service.contacts.Put(Order(3, "PAID"));
    WHEN("the event of version 2 is recorded") {
      auto plan = service.plan.Execute(
          OrderEvent("event-2", app::kOrderAssignedType, Order(2, "ASSIGNED")));
      REQUIRE(plan.has_value());
      auto recorded = service.record.Execute(*plan, MailOutcome::kSent);
      REQUIRE(recorded.has_value());
      THEN("version 3 stays") {
        CHECK_FALSE(recorded->order_recorded);
        CHECK(service.contacts.StoredOrder("order-1") == Order(3, "PAID"));
      }
    }
    WHEN("the event of version 4 is recorded") {
      auto plan = service.plan.Execute(
          OrderEvent("event-4", app::kOrderDispatchedType, Order(4, "IN_TRANSIT")));
      REQUIRE(plan.has_value());
      auto recorded = service.record.Execute(*plan, MailOutcome::kSent);
      REQUIRE(recorded.has_value());
      THEN("it replaces version 3") {
        CHECK(recorded->order_recorded);
        CHECK(service.contacts.StoredOrder("order-1") == Order(4, "IN_TRANSIT"));
      }
    }
  }
}

TEST_CASE("recording a sent mail stores who was told what, when and under which Message-ID",
          "[notifications][application]") {
  Service service;
  auto plan =
      service.plan.Execute(OrderEvent("event-1", app::kOrderCreatedType, Order(1, "CREATED")));
  REQUIRE(plan.has_value());
  REQUIRE(plan->mail() != nullptr);

  auto recorded = service.record.Execute(*plan, MailOutcome::kSent);
  REQUIRE(recorded.has_value());
  CHECK(*recorded == RecordOutcome{true, false, true});
  auto stored = service.sent.Find("event-1");
  REQUIRE(stored.has_value());
  REQUIRE(stored->has_value());
  CHECK(**stored == app::SentNotification{"event-1", NotificationKind::kOrderCreated,
                                          "ana@example.com", "<event-1@mail.test>",
                                          service.clock.Now()});
}

TEST_CASE("a mail that was not sent is not recorded, but the projection still is",
          "[notifications][application]") {
  Service service;
  auto plan =
      service.plan.Execute(OrderEvent("event-1", app::kOrderCreatedType, Order(1, "CREATED")));
  REQUIRE(plan.has_value());
  auto recorded = service.record.Execute(*plan, MailOutcome::kNotSent);
  REQUIRE(recorded.has_value());
  CHECK(*recorded == RecordOutcome{true, false, false});
  CHECK(service.sent.size() == 0);
  CHECK(service.contacts.StoredOrder("order-1").has_value());
}

TEST_CASE("a plan without a mail records its projection updates only",
          "[notifications][application]") {
  Service service;
  EventFacts registered;
  registered.event_id = "event-9";
  registered.type = std::string(app::kPaymentRegisteredType);
  registered.payment = PaymentContact{"payment-1", "order-1", "25.00", "EUR", 1};
  auto plan = service.plan.Execute(registered);
  REQUIRE(plan.has_value());
  auto recorded = service.record.Execute(*plan, MailOutcome::kSent);
  REQUIRE(recorded.has_value());
  CHECK(*recorded == RecordOutcome{false, true, false});
  CHECK(service.contacts.StoredPayment("payment-1") == registered.payment);
  CHECK(service.sent.size() == 0);
}

TEST_CASE("a storage failure while recording is reported for the caller to roll back",
          "[notifications][application]") {
  Service service;
  auto plan =
      service.plan.Execute(OrderEvent("event-1", app::kOrderCreatedType, Order(1, "CREATED")));
  REQUIRE(plan.has_value());
  SECTION("projection") { service.contacts.FailNextCall("database is locked"); }
  SECTION("sent notifications") { service.sent.FailNextCall("database is locked"); }
  auto recorded = service.record.Execute(*plan, MailOutcome::kSent);
  REQUIRE_FALSE(recorded.has_value());
  CHECK(recorded.error().message == "database is locked");
}

SCENARIO("an event's mail is sent once, however often the event is delivered",
         "[notifications][application]") {
  Service service;
  const EventFacts created = OrderEvent("event-1", app::kOrderCreatedType, Order(1, "CREATED"));
  GIVEN("the created event was handled") {
    REQUIRE(service.Handle(created));
    REQUIRE(service.sender.sent().size() == 1);
    CHECK(service.sender.sent()[0].message_id == "<event-1@mail.test>");
    CHECK(service.sender.sent()[0].mail.subject == "Your order TRK-1 was created");
    WHEN("it is delivered again") {
      REQUIRE(service.Handle(created));
      THEN("nothing more is sent") { CHECK(service.sender.sent().size() == 1); }
    }
  }
  GIVEN("the first attempt failed transiently") {
    service.sender.FailNextSend(SendFailure{true, "451 try later"});
    REQUIRE_FALSE(service.Handle(created));
    CHECK(service.sent.size() == 0);
    WHEN("the event is redelivered") {
      REQUIRE(service.Handle(created));
      THEN("the mail goes out once, with the same Message-ID") {
        REQUIRE(service.sender.sent().size() == 1);
        CHECK(service.sender.send_calls() == 2);
        CHECK(service.sender.sent()[0].message_id == "<event-1@mail.test>");
      }
    }
  }
}

SCENARIO("a cancelled, refunded order tells its customer twice, once per event",
         "[notifications][application]") {
  Service service;
  REQUIRE(service.Handle(OrderEvent("e-created", app::kOrderCreatedType, Order(1, "CREATED"))));
  EventFacts confirmed;
  confirmed.event_id = "e-confirmed";
  confirmed.type = std::string(app::kPaymentConfirmedType);
  confirmed.payment = PaymentContact{"payment-1", "order-1", "100.00", "USD", 2};
  REQUIRE(service.Handle(confirmed));

  EventFacts cancelled = OrderEvent("e-cancelled", app::kOrderCancelledType, Order(2, "CANCELLED"));
  cancelled.reason = "customer asked";
  REQUIRE(service.Handle(cancelled));
  EventFacts refunded;
  refunded.event_id = "e-refunded";
  refunded.type = std::string(app::kPaymentRefundedType);
  refunded.payment = PaymentContact{"payment-1", "order-1", "100.00", "USD", 3};
  refunded.reason = "order cancelled";
  REQUIRE(service.Handle(refunded));

  const auto& sent = service.sender.sent();
  REQUIRE(sent.size() == 3);
  CHECK(sent[0].mail.subject == "Your order TRK-1 was created");
  CHECK(sent[1].mail.subject == "Your order TRK-1 was cancelled");
  CHECK(sent[1].mail.body.find("Reason: customer asked") != std::string::npos);
  CHECK(sent[2].mail.subject == "Your payment for order TRK-1 was refunded");
  CHECK(sent[2].mail.body.find("Amount refunded: 100.00 USD") != std::string::npos);
  CHECK(service.contacts.StoredPayment("payment-1")->version == 3);
  CHECK(service.contacts.StoredOrder("order-1")->status == "CANCELLED");
}
