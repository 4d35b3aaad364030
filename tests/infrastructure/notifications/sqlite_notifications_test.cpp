// The notifications tables on a real SQLite file: what only SQLite can get
// wrong (migrations, rows it cannot read, a failing table). The ports'
// contract runs on SQLite and the fakes alike in
// tests/contract/notification_store_contract_test.cpp.
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

}  // namespace

TEST_CASE("the notifications schema migrates once and records its version",
          "[notifications][sqlite]") {
  ScratchDir dir;
  Database db = OpenNotifications(dir);
  REQUIRE(
      logistics::sqlite::ApplyMigrations(db, kNotificationsComponent, NotificationsMigrations()));
  CHECK(*logistics::sqlite::SchemaVersion(db, "notifications") == 1);
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
