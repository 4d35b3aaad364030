#include <catch2/catch.hpp>

#include "infrastructure/scratch_dir.hpp"
#include "logistics/messaging/sqlite_inbox.hpp"

using logistics::common::FromUnixMillis;
using logistics::messaging::DeadLetter;
using logistics::messaging::SqliteInbox;
using logistics::sqlite::Database;
using logistics::testing::ScratchDir;

namespace {

Database OpenInbox(const ScratchDir& dir) {
  auto db = Database::Open(dir.File("i.db"));
  REQUIRE(db);
  REQUIRE(logistics::sqlite::ApplyMigrations(*db, "inbox", SqliteInbox::Migrations()));
  return std::move(*db);
}

}  // namespace

TEST_CASE("the inbox remembers processed events per consumer", "[messaging][inbox]") {
  ScratchDir dir;
  Database db = OpenInbox(dir);
  SqliteInbox inbox(db);
  CHECK_FALSE(*inbox.Contains("payments-orders", "e1"));
  REQUIRE(inbox.Record("payments-orders", "e1", FromUnixMillis(1000)));
  REQUIRE(inbox.Record("payments-orders", "e1", FromUnixMillis(2000)));  // a repeat is harmless
  CHECK(*inbox.Contains("payments-orders", "e1"));
  CHECK_FALSE(*inbox.Contains("orders-payments", "e1"));  // another consumer has its own rows
}

TEST_CASE("inbox rows past the retention are deleted in bounded batches", "[messaging][inbox]") {
  ScratchDir dir;
  Database db = OpenInbox(dir);
  SqliteInbox inbox(db);
  for (int i = 0; i < 5; ++i) {
    REQUIRE(inbox.Record("c", "old-" + std::to_string(i), FromUnixMillis(1000 + i)));
  }
  REQUIRE(inbox.Record("c", "new", FromUnixMillis(9000)));
  CHECK(*inbox.DeleteProcessedBefore(FromUnixMillis(5000), 3) == 3);
  CHECK(*inbox.DeleteProcessedBefore(FromUnixMillis(5000), 3) == 2);
  CHECK(*inbox.DeleteProcessedBefore(FromUnixMillis(5000), 3) == 0);
  CHECK(*inbox.Contains("c", "new"));
  CHECK_FALSE(*inbox.Contains("c", "old-4"));
}

TEST_CASE("dead letters keep the event, its error and its deliveries", "[messaging][inbox]") {
  ScratchDir dir;
  Database db = OpenInbox(dir);
  SqliteInbox inbox(db);
  REQUIRE(inbox.RecordDeadLetter(
      DeadLetter{"payments-orders", "e9", "orders.events.x.created", 42, 5, "boom", "{}"},
      FromUnixMillis(1000)));
  CHECK(*inbox.CountDeadLetters("payments-orders") == 1);
  CHECK(*inbox.CountDeadLetters("orders-payments") == 0);
}
