// ComposeMail: the words every customer notification uses.
#include "logistics/notifications/domain/compose_mail.hpp"

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <utility>

#include "logistics/notifications/domain/notification_kind.hpp"

namespace {

using logistics::notifications::domain::ComposeMail;
using logistics::notifications::domain::kAllNotificationKinds;
using logistics::notifications::domain::Mail;
using logistics::notifications::domain::NotificationKind;
using logistics::notifications::domain::OrderContact;
using logistics::notifications::domain::ParseNotificationKind;
using logistics::notifications::domain::PaymentContact;
using logistics::notifications::domain::SubjectFor;

OrderContact Ana() {
  return OrderContact{"order-1", "TRK-1",  "Ana",     std::string("ana@example.com"),
                      "Madrid",  "Lisbon", "CREATED", 1};
}

PaymentContact Payment() { return PaymentContact{"payment-1", "order-1", "100.00", "EUR", 2}; }

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("every kind of notification has its documented subject line", "[notifications][domain]") {
  const auto [kind, subject] = GENERATE(table<NotificationKind, std::string>({
      {NotificationKind::kOrderCreated, "Your order TRK-1 was created"},
      {NotificationKind::kOrderPaid, "Your order TRK-1 is paid"},
      {NotificationKind::kOrderDispatched, "Your order TRK-1 is on its way"},
      {NotificationKind::kOrderDelivered, "Your order TRK-1 was delivered"},
      {NotificationKind::kOrderCancelled, "Your order TRK-1 was cancelled"},
      {NotificationKind::kPaymentRefunded, "Your payment for order TRK-1 was refunded"},
  }));
  CAPTURE(subject);
  CHECK(SubjectFor(kind, Ana()) == subject);
  CHECK(ComposeMail(kind, Ana(), Payment(), std::string("why")).subject == subject);
}

TEST_CASE("every mail goes to the customer and names them, the tracking number and the route",
          "[notifications][domain]") {
  const NotificationKind kind = GENERATE(from_range(kAllNotificationKinds));
  CAPTURE(ToString(kind));
  const Mail mail = ComposeMail(kind, Ana(), std::nullopt, std::nullopt);
  CHECK(mail.to_address == "ana@example.com");
  CHECK(mail.to_name == "Ana");
  CHECK(mail.body.rfind("Hello Ana,\n\n", 0) == 0);
  CHECK(Contains(mail.body, "\nTracking number: TRK-1\n"));
  CHECK(Contains(mail.body, "\nRoute: Madrid \u2192 Lisbon\n"));
  CHECK(mail.body.ends_with("\n\nKind regards,\nLogistics\n"));
}

TEST_CASE("the created mail reads as documented, line by line", "[notifications][domain]") {
  const Mail mail = ComposeMail(NotificationKind::kOrderCreated, Ana(), std::nullopt, std::nullopt);
  CHECK(mail.body ==
        "Hello Ana,\n"
        "\n"
        "Thank you for your order. We will let you know when it is on its way.\n"
        "\n"
        "Tracking number: TRK-1\n"
        "Route: Madrid \u2192 Lisbon\n"
        "\n"
        "Kind regards,\n"
        "Logistics\n");
}

TEST_CASE("UTF-8 names and places appear in the mail unchanged", "[notifications][domain]") {
  OrderContact order = Ana();
  order.customer_name = "Zoë Łukasiewicz-Núñez";
  order.origin = "São Paulo";
  order.destination = "Kraków";
  order.tracking_number = "TRK-Ω";
  const Mail mail =
      ComposeMail(NotificationKind::kOrderDispatched, order, std::nullopt, std::nullopt);
  CHECK(mail.to_name == "Zoë Łukasiewicz-Núñez");
  CHECK(mail.subject == "Your order TRK-Ω is on its way");
  CHECK(Contains(mail.body, "Hello Zoë Łukasiewicz-Núñez,\n"));
  CHECK(Contains(mail.body, "Your order has left São Paulo and is on its way to Kraków.\n"));
  CHECK(Contains(mail.body, "Route: São Paulo → Kraków\n"));
}

TEST_CASE("the delivered mail says where the order arrived", "[notifications][domain]") {
  const Mail mail =
      ComposeMail(NotificationKind::kOrderDelivered, Ana(), std::nullopt, std::nullopt);
  CHECK(Contains(mail.body, "\nYour order has been delivered in Lisbon.\n"));
}

TEST_CASE("the paid mail shows the amount when the payment is known and leaves it out otherwise",
          "[notifications][domain]") {
  const Mail known = ComposeMail(NotificationKind::kOrderPaid, Ana(), Payment(), std::nullopt);
  CHECK(Contains(known.body, "\nWe have received the payment for your order.\n"));
  CHECK(Contains(known.body, "\nAmount paid: 100.00 EUR\n"));

  const Mail unknown = ComposeMail(NotificationKind::kOrderPaid, Ana(), std::nullopt, std::nullopt);
  CHECK_FALSE(Contains(unknown.body, "Amount"));
  CHECK(Contains(unknown.body, "We have received the payment for your order."));
}

TEST_CASE("the cancelled mail gives the reason when there is one", "[notifications][domain]") {
  const Mail with_reason = ComposeMail(NotificationKind::kOrderCancelled, Ana(), std::nullopt,
                                       std::string("customer asked"));
  CHECK(Contains(with_reason.body, "\nYour order has been cancelled."));
  CHECK(Contains(with_reason.body, "\nReason: customer asked\n"));

  const Mail without =
      ComposeMail(NotificationKind::kOrderCancelled, Ana(), std::nullopt, std::nullopt);
  CHECK_FALSE(Contains(without.body, "Reason"));
  const Mail blank =
      ComposeMail(NotificationKind::kOrderCancelled, Ana(), std::nullopt, std::string("  "));
  CHECK_FALSE(Contains(blank.body, "Reason"));
}

TEST_CASE("the refund mail shows the amount, the currency and the reason",
          "[notifications][domain]") {
  const Mail mail = ComposeMail(NotificationKind::kPaymentRefunded, Ana(), Payment(),
                                std::string("order cancelled"));
  CHECK(mail.subject == "Your payment for order TRK-1 was refunded");
  CHECK(Contains(mail.body,
                 "\nWe have refunded your payment for this order.\n\n"
                 "Tracking number: TRK-1\n"
                 "Route: Madrid \u2192 Lisbon\n"
                 "Amount refunded: 100.00 EUR\n"
                 "Reason: order cancelled\n\n"));
}

TEST_CASE("kinds without amounts or reasons ignore the payment and the reason they are given",
          "[notifications][domain]") {
  const NotificationKind kind =
      GENERATE(NotificationKind::kOrderCreated, NotificationKind::kOrderDispatched,
               NotificationKind::kOrderDelivered);
  const Mail mail = ComposeMail(kind, Ana(), Payment(), std::string("secret"));
  CHECK_FALSE(Contains(mail.body, "100.00"));
  CHECK_FALSE(Contains(mail.body, "secret"));
}

TEST_CASE("a line break inside a field never breaks the subject or the body's layout",
          "[notifications][domain]") {
  OrderContact order = Ana();
  order.tracking_number = "TRK-1\r\nBcc: evil@example.com";
  const Mail mail = ComposeMail(NotificationKind::kOrderCancelled, order, std::nullopt,
                                std::string("line one\nline two"));
  CHECK(mail.subject.find_first_of("\r\n") == std::string::npos);
  CHECK(Contains(mail.body, "\nReason: line one line two\n"));
  CHECK_FALSE(Contains(mail.body, "\nBcc:"));
}

TEST_CASE("a customer without a name is greeted without one", "[notifications][domain]") {
  OrderContact order = Ana();
  order.customer_name = " ";
  const Mail mail = ComposeMail(NotificationKind::kOrderCreated, order, std::nullopt, std::nullopt);
  CHECK(mail.body.rfind("Hello,\n\n", 0) == 0);
}

TEST_CASE("a mail for an order without an address has an empty recipient",
          "[notifications][domain]") {
  OrderContact order = Ana();
  order.customer_email.reset();
  CHECK(ComposeMail(NotificationKind::kOrderCreated, order, std::nullopt, std::nullopt)
            .to_address.empty());
}

TEST_CASE("notification kinds read back from their text form", "[notifications][domain]") {
  const NotificationKind kind = GENERATE(from_range(kAllNotificationKinds));
  CHECK(ParseNotificationKind(ToString(kind)) == kind);
  CHECK(ToString(NotificationKind::kPaymentRefunded) == "payment_refunded");
  CHECK_FALSE(ParseNotificationKind("ORDER_CREATED").has_value());
  CHECK_FALSE(ParseNotificationKind("").has_value());
}
