// PlanNotification / DecideNotification: which events mail whom, decided
// before anything is sent or written.
#include "logistics/notifications/application/plan_notification.hpp"

#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "logistics/notifications/application/event_facts.hpp"
#include "logistics/notifications/application/message_id.hpp"
#include "support/fakes/in_memory_notifications.hpp"

namespace {

namespace app = logistics::notifications::application;
using app::DecideNotification;
using app::EventFacts;
using app::KnownState;
using app::NoMailReason;
using app::NotificationPlan;
using app::PlanNotification;
using logistics::notifications::domain::NotificationKind;
using logistics::notifications::domain::OrderContact;
using logistics::notifications::domain::PaymentContact;
using logistics::testing::InMemoryContactProjection;
using logistics::testing::InMemorySentNotifications;

constexpr const char* kDomain = "mail.test";

OrderContact Order(std::int64_t version = 1, std::string status = "CREATED") {
  return OrderContact{
      "order-1", "TRK-1",           "Ana",  std::string("ana@example.com"), "Madrid",
      "Lisbon",  std::move(status), version};
}

PaymentContact Payment(std::int64_t version = 1) {
  return PaymentContact{"payment-1", "order-1", "100.00", "USD", version};
}

EventFacts OrderEvent(std::string_view type, OrderContact order = Order()) {
  EventFacts facts;
  facts.event_id = "event-1";
  facts.type = std::string(type);
  facts.order = std::move(order);
  return facts;
}

EventFacts PaymentEvent(std::string_view type, PaymentContact payment = Payment()) {
  EventFacts facts;
  facts.event_id = "event-2";
  facts.type = std::string(type);
  facts.payment = std::move(payment);
  return facts;
}

NoMailReason ReasonOf(const NotificationPlan& plan) {
  REQUIRE(plan.no_mail() != nullptr);
  return plan.no_mail()->reason;
}

}  // namespace

TEST_CASE("each notifying event type plans its kind of mail to the order's address",
          "[notifications][application]") {
  const auto [type, kind] = GENERATE(table<std::string_view, NotificationKind>({
      {app::kOrderCreatedType, NotificationKind::kOrderCreated},
      {app::kOrderPaidType, NotificationKind::kOrderPaid},
      {app::kOrderDispatchedType, NotificationKind::kOrderDispatched},
      {app::kOrderDeliveredType, NotificationKind::kOrderDelivered},
      {app::kOrderCancelledType, NotificationKind::kOrderCancelled},
  }));
  CAPTURE(type);
  const NotificationPlan plan = DecideNotification(OrderEvent(type), KnownState{}, kDomain);
  REQUIRE(plan.mail() != nullptr);
  CHECK(plan.event_id == "event-1");
  CHECK(plan.mail()->kind == kind);
  CHECK(plan.mail()->mail.to_address == "ana@example.com");
  CHECK(plan.mail()->mail.to_name == "Ana");
  CHECK(plan.mail()->message_id == "<event-1@mail.test>");
  CHECK(plan.updates.order == Order());
}

TEST_CASE("events that tell customers nothing plan no mail but still update the projection",
          "[notifications][application]") {
  SECTION("order assigned") {
    const NotificationPlan plan =
        DecideNotification(OrderEvent(app::kOrderAssignedType), KnownState{}, kDomain);
    CHECK(ReasonOf(plan) == NoMailReason::kNotNotifying);
    CHECK(plan.updates.order == Order());
  }
  SECTION("payment registered, confirmed or failed") {
    const std::string_view type =
        GENERATE(app::kPaymentRegisteredType, app::kPaymentConfirmedType, app::kPaymentFailedType);
    const NotificationPlan plan =
        DecideNotification(PaymentEvent(type), KnownState{Order(), std::nullopt, false}, kDomain);
    CHECK(ReasonOf(plan) == NoMailReason::kNotNotifying);
    CHECK(plan.updates.payment == Payment());
    CHECK_FALSE(plan.updates.order.has_value());
  }
  SECTION("a type this service does not know") {
    const NotificationPlan plan =
        DecideNotification(OrderEvent("logistics.order.rerouted.v1"), KnownState{}, kDomain);
    CHECK(ReasonOf(plan) == NoMailReason::kNotNotifying);
    CHECK(plan.no_mail()->detail.find("logistics.order.rerouted.v1") != std::string::npos);
  }
}

TEST_CASE("an order without an e-mail address gets no mail, and the plan says why",
          "[notifications][application]") {
  OrderContact order = Order();
  SECTION("null") { order.customer_email.reset(); }
  SECTION("blank") { order.customer_email = " "; }
  const NotificationPlan plan =
      DecideNotification(OrderEvent(app::kOrderCreatedType, order), KnownState{}, kDomain);
  CHECK(ReasonOf(plan) == NoMailReason::kNoEmailAddress);
  CHECK(plan.no_mail()->detail.find("order-1") != std::string::npos);
  CHECK(plan.updates.order == order);  // the contact is kept all the same
}

TEST_CASE("an event whose mail was already sent never plans it again",
          "[notifications][application]") {
  const NotificationPlan plan = DecideNotification(
      OrderEvent(app::kOrderCreatedType), KnownState{std::nullopt, std::nullopt, true}, kDomain);
  CHECK(ReasonOf(plan) == NoMailReason::kAlreadySent);
}

TEST_CASE("a refund needs the order's contact from the projection",
          "[notifications][application]") {
  EventFacts refund = PaymentEvent(app::kPaymentRefundedType);
  refund.reason = "order cancelled";

  SECTION("unknown order: no mail, nobody to write to") {
    const NotificationPlan plan = DecideNotification(refund, KnownState{}, kDomain);
    CHECK(ReasonOf(plan) == NoMailReason::kOrderUnknown);
    CHECK(plan.no_mail()->detail.find("order-1") != std::string::npos);
    CHECK(plan.updates.payment == Payment());
  }
  SECTION("known order: a refund mail with the event's amount and reason") {
    const NotificationPlan plan =
        DecideNotification(refund, KnownState{Order(3, "CANCELLED"), std::nullopt, false}, kDomain);
    REQUIRE(plan.mail() != nullptr);
    CHECK(plan.mail()->kind == NotificationKind::kPaymentRefunded);
    CHECK(plan.mail()->mail.to_address == "ana@example.com");
    CHECK(plan.mail()->mail.body.find("Amount refunded: 100.00 USD\n") != std::string::npos);
    CHECK(plan.mail()->mail.body.find("Reason: order cancelled\n") != std::string::npos);
    CHECK(plan.mail()->message_id == "<event-2@mail.test>");
  }
  SECTION("known order without an address: no mail") {
    OrderContact order = Order();
    order.customer_email.reset();
    const NotificationPlan plan =
        DecideNotification(refund, KnownState{order, std::nullopt, false}, kDomain);
    CHECK(ReasonOf(plan) == NoMailReason::kNoEmailAddress);
  }
  SECTION("the contact of another order is never used") {
    OrderContact other = Order();
    other.order_id = "order-2";
    const NotificationPlan plan =
        DecideNotification(refund, KnownState{other, std::nullopt, false}, kDomain);
    CHECK(ReasonOf(plan) == NoMailReason::kOrderUnknown);
  }
}

TEST_CASE("the paid mail shows the paying payment's amount only when it is that order's",
          "[notifications][application]") {
  EventFacts paid = OrderEvent(app::kOrderPaidType, Order(2, "PAID"));
  paid.payment_id = "payment-1";

  SECTION("known payment") {
    const NotificationPlan plan =
        DecideNotification(paid, KnownState{std::nullopt, Payment(), false}, kDomain);
    REQUIRE(plan.mail() != nullptr);
    CHECK(plan.mail()->mail.body.find("Amount paid: 100.00 USD\n") != std::string::npos);
  }
  SECTION("payment not consumed yet") {
    const NotificationPlan plan = DecideNotification(paid, KnownState{}, kDomain);
    REQUIRE(plan.mail() != nullptr);
    CHECK(plan.mail()->mail.body.find("Amount") == std::string::npos);
  }
  SECTION("a payment of another order") {
    PaymentContact other = Payment();
    other.order_id = "order-2";
    const NotificationPlan plan =
        DecideNotification(paid, KnownState{std::nullopt, other, false}, kDomain);
    REQUIRE(plan.mail() != nullptr);
    CHECK(plan.mail()->mail.body.find("Amount") == std::string::npos);
  }
}

TEST_CASE("a late order event is still told from its own data", "[notifications][application]") {
  // The projection holds version 5; a retried created event (version 1)
  // arrives. Its mail is composed from the event, not from the newer contact.
  OrderContact newer = Order(5, "DELIVERED");
  newer.customer_name = "Ana Maria";
  const NotificationPlan plan = DecideNotification(OrderEvent(app::kOrderCreatedType, Order(1)),
                                                   KnownState{newer, std::nullopt, false}, kDomain);
  REQUIRE(plan.mail() != nullptr);
  CHECK(plan.mail()->mail.to_name == "Ana");
  CHECK(plan.updates.order->version == 1);  // recording decides it is older
}

TEST_CASE("planning reads the sent record, the refund's order and the paid event's payment",
          "[notifications][application]") {
  InMemoryContactProjection contacts;
  InMemorySentNotifications sent;
  PlanNotification plan(contacts, sent, kDomain);

  SECTION("the order of a refund comes from the projection") {
    contacts.Put(Order(3, "CANCELLED"));
    auto planned = plan.Execute(PaymentEvent(app::kPaymentRefundedType));
    REQUIRE(planned.has_value());
    REQUIRE(planned->mail() != nullptr);
    CHECK(planned->mail()->mail.to_address == "ana@example.com");
  }
  SECTION("the payment of a paid event comes from the projection") {
    contacts.Put(Payment());
    EventFacts paid = OrderEvent(app::kOrderPaidType, Order(2, "PAID"));
    paid.payment_id = "payment-1";
    auto planned = plan.Execute(paid);
    REQUIRE(planned.has_value());
    REQUIRE(planned->mail() != nullptr);
    CHECK(planned->mail()->mail.body.find("Amount paid: 100.00 USD") != std::string::npos);
  }
  SECTION("a recorded event is already sent") {
    REQUIRE(sent.Record(app::SentNotification{
        "event-1", NotificationKind::kOrderCreated, "ana@example.com", "<event-1@mail.test>", {}}));
    auto planned = plan.Execute(OrderEvent(app::kOrderCreatedType));
    REQUIRE(planned.has_value());
    CHECK(ReasonOf(*planned) == NoMailReason::kAlreadySent);
  }
  SECTION("planning writes nothing") {
    auto planned = plan.Execute(OrderEvent(app::kOrderCreatedType));
    REQUIRE(planned.has_value());
    CHECK_FALSE(contacts.StoredOrder("order-1").has_value());
    CHECK(contacts.record_calls() == 0);
    CHECK(sent.size() == 0);
  }
  SECTION("a failed read is a PortError") {
    SECTION("sent notifications") { sent.FailNextCall("disk I/O error"); }
    SECTION("contacts") { contacts.FailNextCall("disk I/O error"); }
    auto planned = plan.Execute(PaymentEvent(app::kPaymentRefundedType));
    REQUIRE_FALSE(planned.has_value());
    CHECK(planned.error().message == "disk I/O error");
  }
}

TEST_CASE("the Message-ID depends on the event id alone and is always well-formed",
          "[notifications][application]") {
  using app::MessageIdFor;
  CHECK(MessageIdFor("0193a5b2-7c1e-7000-9c1f-0a2b3c4d5e6f", "logistics.example") ==
        "<0193a5b2-7c1e-7000-9c1f-0a2b3c4d5e6f@logistics.example>");
  CHECK(MessageIdFor("e1", "mail.test") == MessageIdFor("e1", "mail.test"));
  CHECK(MessageIdFor("e1", "mail.test") != MessageIdFor("e2", "mail.test"));
  // Characters outside letters, digits and '-' are escaped, '=' included, so
  // escaping never makes two ids equal.
  CHECK(MessageIdFor("a b>c@d", "mail.test") == "<a=20b=3Ec=40d@mail.test>");
  CHECK(MessageIdFor("a.b", "mail.test") == "<a=2Eb@mail.test>");
  CHECK(MessageIdFor("=2E", "mail.test") != MessageIdFor(".", "mail.test"));
  // A domain that is not a host name falls back to the default.
  const std::string bad_domain = GENERATE("", "bad domain", "evil>\r\nBcc: x", ".lead", "a..b");
  CAPTURE(bad_domain);
  CHECK(MessageIdFor("e1", bad_domain) == "<e1@logistics.example>");
}
