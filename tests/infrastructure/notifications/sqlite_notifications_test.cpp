// The notifications tables on a real SQLite file: the contact projection and
// the sent notifications.
#include <catch2/catch.hpp>
#include <optional>
#include <string>

#include "infrastructure/scratch_dir.hpp"
#include "logistics/notifications/infrastructure/notifications_schema.hpp"
#include "logistics/notifications/infrastructure/sqlite_contact_projection.hpp"
#include "logistics/notifications/infrastructure/sqlite_sent_notifications.hpp"
#include "logistics/sqlite/database.hpp"
#include "logistics/sqlite/migrations.hpp"
#include "support/fakes/fixed_clock.hpp"

namespace {

using logistics::common::FromUnixMillis;
using logistics::notifications::application::SentNotification;
using logistics::notifications::domain::NotificationKind;
using logistics::notifications::domain::OrderContact;
using logistics::notifications::domain::PaymentContact;
using logistics::notifications::infrastructure::kNotificationsComponent;
using logistics::notifications::infrastructure::NotificationsMigrations;
using logistics::notifications::infrastructure::SqliteContactProjection;
using logistics::notifications::infrastructure::SqliteSentNotifications;
using logistics::sqlite::Database;
using logistics::testing::FixedClock;
using logistics::testing::ScratchDir;

Database OpenNotifications(const ScratchDir& dir) {
  auto db = Database::Open(dir.File("notifications.db"));
  REQUIRE(db);
  REQUIRE(
      logistics::sqlite::ApplyMigrations(*db, kNotificationsComponent, NotificationsMigrations()));
  return std::move(*db);
}

OrderContact Order(std::int64_t version, std::string status) {
  return OrderContact{"order-1",   "TRK-1",  "Zoë Núñez",       std::string("zoe@example.com"),
                      "São Paulo", "Kraków", std::move(status), version};
}

}  // namespace

TEST_CASE("the notifications schema migrates once and records its version",
          "[notifications][sqlite]") {
  ScratchDir dir;
  Database db = OpenNotifications(dir);
  REQUIRE(
      logistics::sqlite::ApplyMigrations(db, kNotificationsComponent, NotificationsMigrations()));
  CHECK(*logistics::sqlite::SchemaVersion(db, "notifications") == 1);
}

TEST_CASE("an order contact is stored only when newer than the stored one",
          "[notifications][sqlite]") {
  ScratchDir dir;
  Database db = OpenNotifications(dir);
  FixedClock clock;
  SqliteContactProjection contacts(db, clock);

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

TEST_CASE("a payment contact is stored only when newer than the stored one",
          "[notifications][sqlite]") {
  ScratchDir dir;
  Database db = OpenNotifications(dir);
  FixedClock clock;
  SqliteContactProjection contacts(db, clock);

  const PaymentContact confirmed{"payment-1", "order-1", "100.00", "USD", 2};
  CHECK(*contacts.FindPayment("payment-1") == std::nullopt);
  CHECK(*contacts.RecordPayment(confirmed));
  CHECK_FALSE(*contacts.RecordPayment(PaymentContact{"payment-1", "order-1", "100.00", "USD", 1}));
  CHECK(*contacts.FindPayment("payment-1") == confirmed);
  const PaymentContact refunded{"payment-1", "order-1", "100.00", "USD", 3};
  CHECK(*contacts.RecordPayment(refunded));
  CHECK(*contacts.FindPayment("payment-1") == refunded);
}

TEST_CASE("sent notifications keep the first record of an event", "[notifications][sqlite]") {
  ScratchDir dir;
  Database db = OpenNotifications(dir);
  SqliteSentNotifications sent(db);

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

TEST_CASE("every kind of sent notification reads back as written", "[notifications][sqlite]") {
  ScratchDir dir;
  Database db = OpenNotifications(dir);
  SqliteSentNotifications sent(db);
  const NotificationKind kind =
      GENERATE(from_range(logistics::notifications::domain::kAllNotificationKinds));
  const SentNotification record{"event-k", kind, "a@b.example", "<event-k@x.example>",
                                FromUnixMillis(5)};
  REQUIRE(*sent.Record(record));
  CHECK(*sent.Find("event-k") == record);
}

TEST_CASE("a sent notification of a kind this binary does not know is a storage error",
          "[notifications][sqlite]") {
  ScratchDir dir;
  Database db = OpenNotifications(dir);
  REQUIRE(db.Execute("INSERT INTO sent_notifications VALUES('e9','sms_sent','a@b.c','<e9@x>',1)"));
  SqliteSentNotifications sent(db);
  auto found = sent.Find("e9");
  REQUIRE_FALSE(found.has_value());
  CHECK(found.error().message.find("sms_sent") != std::string::npos);
  CHECK(*sent.WasSent("e9"));
}

TEST_CASE("a storage failure becomes a PortError naming the table", "[notifications][sqlite]") {
  ScratchDir dir;
  Database db = OpenNotifications(dir);
  REQUIRE(db.Execute("DROP TABLE order_contacts; DROP TABLE sent_notifications;"));
  FixedClock clock;
  SqliteContactProjection contacts(db, clock);
  SqliteSentNotifications sent(db);
  auto found = contacts.FindOrder("order-1");
  REQUIRE_FALSE(found.has_value());
  CHECK(found.error().message.find("order_contacts") != std::string::npos);
  auto was_sent = sent.WasSent("e1");
  REQUIRE_FALSE(was_sent.has_value());
  CHECK(was_sent.error().message.find("sent_notifications") != std::string::npos);
}
