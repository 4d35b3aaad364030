// The in-memory twins keep the ports' contracts, so use-case tests on them
// mean what they say about SQLite.
#include "support/fakes/in_memory_notifications.hpp"

#include <catch2/catch.hpp>
#include <optional>
#include <string>

namespace {

using logistics::notifications::application::SendFailure;
using logistics::notifications::application::SentNotification;
using logistics::notifications::domain::Mail;
using logistics::notifications::domain::NotificationKind;
using logistics::notifications::domain::OrderContact;
using logistics::notifications::domain::PaymentContact;
using logistics::testing::InMemoryContactProjection;
using logistics::testing::InMemorySentNotifications;
using logistics::testing::RecordingMailSender;

OrderContact Order(std::int64_t version) {
  return OrderContact{"order-1", "TRK-1",  "Ana",     std::nullopt,
                      "Madrid",  "Lisbon", "CREATED", version};
}

}  // namespace

TEST_CASE("the in-memory projection stores a contact only when strictly newer",
          "[notifications][application][fakes]") {
  InMemoryContactProjection contacts;
  CHECK(*contacts.RecordOrder(Order(2)));
  CHECK_FALSE(*contacts.RecordOrder(Order(2)));
  CHECK_FALSE(*contacts.RecordOrder(Order(1)));
  CHECK(*contacts.RecordOrder(Order(3)));
  CHECK(contacts.StoredOrder("order-1")->version == 3);

  CHECK(*contacts.RecordPayment(PaymentContact{"p", "order-1", "1.00", "USD", 2}));
  CHECK_FALSE(*contacts.RecordPayment(PaymentContact{"p", "order-1", "9.00", "USD", 2}));
  CHECK(contacts.StoredPayment("p")->amount == "1.00");
  CHECK(contacts.record_calls() == 6);
}

TEST_CASE("the in-memory sent notifications keep the first record of an event",
          "[notifications][application][fakes]") {
  InMemorySentNotifications sent;
  const SentNotification first{"e1", NotificationKind::kOrderCreated, "a@b.c", "<e1@x>", {}};
  CHECK(*sent.Record(first));
  SentNotification second = first;
  second.recipient = "other@b.c";
  CHECK_FALSE(*sent.Record(second));
  CHECK(*sent.Find("e1") == first);
  CHECK(*sent.WasSent("e1"));
  CHECK_FALSE(*sent.WasSent("e2"));
}

TEST_CASE("a requested failure happens once, on the next call",
          "[notifications][application][fakes]") {
  InMemoryContactProjection contacts;
  contacts.FailNextCall("boom");
  CHECK_FALSE(contacts.FindOrder("order-1").has_value());
  CHECK(contacts.FindOrder("order-1").has_value());

  RecordingMailSender sender;
  sender.FailNextSend(SendFailure{false, "550 no such user"});
  const Mail mail{"a@b.c", "A", "s", "b\n"};
  auto failed = sender.Send(mail, "<e1@x>");
  REQUIRE_FALSE(failed.has_value());
  CHECK_FALSE(failed.error().transient);
  CHECK(sender.Send(mail, "<e1@x>").has_value());
  CHECK(sender.sent().size() == 1);
  CHECK(sender.send_calls() == 2);
}
