// The NotificationStore contract (notification_store.hpp, contact_projection.hpp,
// sent_notifications.hpp), run against every adapter: the in-memory fake that
// the use case tests trust, and SQLite. A new storage engine adds its backend
// to the lists and must pass every case unchanged.
#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "contract/scratch_database.hpp"
#include "logistics/notifications/domain/notification_kind.hpp"
#include "logistics/notifications/infrastructure/notifications_schema.hpp"
#include "logistics/notifications/infrastructure/sqlite_notification_store.hpp"
#include "support/fakes/fixed_clock.hpp"
#include "support/fakes/in_memory_notifications.hpp"

namespace {

using logistics::common::FromUnixMillis;
using logistics::notifications::application::ContactProjection;
using logistics::notifications::application::SentNotification;
using logistics::notifications::application::SentNotifications;
using logistics::notifications::domain::NotificationKind;
using logistics::notifications::domain::OrderContact;
using logistics::notifications::domain::PaymentContact;

struct InMemoryBackend {
  logistics::testing::InMemoryNotificationStore store;
};

struct SqliteBackend {
  logistics::testing::ScratchDatabase database{
      {{std::string(logistics::notifications::infrastructure::kNotificationsComponent),
        logistics::notifications::infrastructure::NotificationsMigrations()}}};
  logistics::testing::FixedClock clock;
  logistics::notifications::infrastructure::SqliteNotificationStore store{database.db(), clock};
};

OrderContact Order(std::int64_t version, std::string status) {
  return OrderContact{"order-1",   "TRK-1",  "Zoë Núñez",       std::string("zoe@example.com"),
                      "São Paulo", "Kraków", std::move(status), version};
}

}  // namespace

TEMPLATE_TEST_CASE("an order contact is stored only when newer than the stored one",
                   "[notifications][contract]", InMemoryBackend, SqliteBackend) {
  TestType backend;
  ContactProjection& contacts = backend.store.contacts();

  CHECK(*contacts.FindOrder("order-1") == std::nullopt);
  CHECK(*contacts.RecordOrder(Order(2, "PAID")));
  CHECK(*contacts.FindOrder("order-1") == Order(2, "PAID"));

  CHECK_FALSE(*contacts.RecordOrder(Order(1, "CREATED")));   // older
  CHECK_FALSE(*contacts.RecordOrder(Order(2, "ASSIGNED")));  // as old
  CHECK(*contacts.FindOrder("order-1") == Order(2, "PAID"));

  OrderContact newer = Order(3, "IN_TRANSIT");
  newer.customer_email.reset();
  CHECK(*contacts.RecordOrder(newer));
  CHECK(*contacts.FindOrder("order-1") == newer);  // a null address reads back as none
}

TEMPLATE_TEST_CASE("a payment contact is stored only when newer than the stored one",
                   "[notifications][contract]", InMemoryBackend, SqliteBackend) {
  TestType backend;
  ContactProjection& contacts = backend.store.contacts();

  const PaymentContact confirmed{"payment-1", "order-1", "100.00", "USD", 2};
  CHECK(*contacts.FindPayment("payment-1") == std::nullopt);
  CHECK(*contacts.RecordPayment(confirmed));
  CHECK_FALSE(*contacts.RecordPayment(PaymentContact{"payment-1", "order-1", "100.00", "USD", 1}));
  CHECK(*contacts.FindPayment("payment-1") == confirmed);
  const PaymentContact refunded{"payment-1", "order-1", "100.00", "USD", 3};
  CHECK(*contacts.RecordPayment(refunded));
  CHECK(*contacts.FindPayment("payment-1") == refunded);
}

TEMPLATE_TEST_CASE("sent notifications keep the first record of an event",
                   "[notifications][contract]", InMemoryBackend, SqliteBackend) {
  TestType backend;
  SentNotifications& sent = backend.store.sent();

  const SentNotification first{"event-1", NotificationKind::kPaymentRefunded, "zoe@example.com",
                               "<event-1@logistics.example>", FromUnixMillis(1'000)};
  CHECK_FALSE(*sent.WasSent("event-1"));
  CHECK(*sent.Find("event-1") == std::nullopt);
  CHECK(*sent.Record(first));
  CHECK(*sent.WasSent("event-1"));
  CHECK_FALSE(*sent.WasSent("event-2"));

  SentNotification again = first;
  again.recipient = "someone@else.example";
  again.sent_at = FromUnixMillis(2'000);
  CHECK_FALSE(*sent.Record(again));
  CHECK(*sent.Find("event-1") == first);
}

TEMPLATE_TEST_CASE("every kind of sent notification reads back as written",
                   "[notifications][contract]", InMemoryBackend, SqliteBackend) {
  TestType backend;
  SentNotifications& sent = backend.store.sent();
  const NotificationKind kind =
      GENERATE(from_range(logistics::notifications::domain::kAllNotificationKinds));
  const SentNotification record{"event-k", kind, "a@b.example", "<event-k@x.example>",
                                FromUnixMillis(5)};
  REQUIRE(*sent.Record(record));
  CHECK(*sent.Find("event-k") == record);
}
