// The dead letters as operators see them (SqliteDeadLetters) and the inbox
// marks that tell a dead letter from a processed event, on a real SQLite file.
#include <catch2/catch.hpp>

#include "infrastructure/scratch_dir.hpp"
#include "logistics/messaging/sqlite_dead_letters.hpp"
#include "logistics/messaging/sqlite_inbox.hpp"
#include "logistics/sqlite/migrations.hpp"

using logistics::common::FromUnixMillis;
using logistics::messaging::DeadLetter;
using logistics::messaging::DeadLetterOutcome;
using logistics::messaging::InboxEntry;
using logistics::messaging::SqliteDeadLetters;
using logistics::messaging::SqliteInbox;
using logistics::sqlite::Database;
using logistics::testing::ScratchDir;

namespace {

Database OpenInbox(const ScratchDir& dir) {
  auto db = Database::Open(dir.File("d.db"));
  REQUIRE(db);
  REQUIRE(logistics::sqlite::ApplyMigrations(*db, "inbox", SqliteInbox::Migrations()));
  return std::move(*db);
}

DeadLetter Letter(const std::string& consumer, const std::string& event_id) {
  return DeadLetter{consumer, event_id, "s." + event_id, 7, 5, "boom", R"({"id":"x"})"};
}

}  // namespace

TEST_CASE("a dead letter's inbox row is a mark, not a processing", "[messaging][inbox][dead-letter]") {
  ScratchDir dir;
  Database db = OpenInbox(dir);
  SqliteInbox inbox(db);
  REQUIRE(inbox.RecordDeadLetter(Letter("c", "dead"), FromUnixMillis(1000)));
  REQUIRE(inbox.Record("c", "done", FromUnixMillis(1000)));
  CHECK(*inbox.Lookup("c", "dead") == InboxEntry::kDeadLettered);
  CHECK(*inbox.Lookup("c", "done") == InboxEntry::kProcessed);
  CHECK(*inbox.Lookup("c", "never") == InboxEntry::kAbsent);
  // A delivery skips both.
  CHECK(*inbox.Contains("c", "dead"));
  CHECK(*inbox.Contains("c", "done"));
  // Recording the dead letter as processed (its requeue applied it) turns the mark into one.
  REQUIRE(inbox.Record("c", "dead", FromUnixMillis(2000)));
  CHECK(*inbox.Lookup("c", "dead") == InboxEntry::kProcessed);
}

TEST_CASE("dead letters recorded before the marks existed become marks when the schema is migrated",
          "[messaging][inbox][dead-letter]") {
  ScratchDir dir;
  auto db = Database::Open(dir.File("old.db"));
  REQUIRE(db);
  // The inbox as migration 1 left it, with a dead letter and a processed event.
  REQUIRE(logistics::sqlite::ApplyMigrations(*db, "inbox", SqliteInbox::Migrations().first(1)));
  REQUIRE(db->Execute(
      "INSERT INTO dead_letters(consumer, event_id, subject, stream_sequence, deliveries, error,"
      " payload, created_at) VALUES('c', 'dead', 's', 1, 5, 'boom', '{}', 1000);"
      "INSERT INTO inbox(consumer, event_id, processed_at) VALUES('c', 'dead', 1000), ('c', 'done', 900)"));
  REQUIRE(logistics::sqlite::ApplyMigrations(*db, "inbox", SqliteInbox::Migrations()));
  SqliteInbox inbox(*db);
  CHECK(*inbox.Lookup("c", "dead") == InboxEntry::kDeadLettered);
  CHECK(*inbox.Lookup("c", "done") == InboxEntry::kProcessed);
  const auto found = SqliteDeadLetters(*db).Find("c", "dead");
  REQUIRE(found);
  REQUIRE(found->has_value());
  CHECK((*found)->requeues == 0);
  CHECK_FALSE((*found)->last_requeued_at.has_value());
}

TEST_CASE("dead letters are paged oldest first, per consumer or all", "[messaging][dead-letter]") {
  ScratchDir dir;
  Database db = OpenInbox(dir);
  SqliteInbox inbox(db);
  for (const char* id : {"a1", "a2", "a3"}) REQUIRE(inbox.RecordDeadLetter(Letter("a", id), FromUnixMillis(1)));
  REQUIRE(inbox.RecordDeadLetter(Letter("b", "b1"), FromUnixMillis(2)));
  SqliteDeadLetters letters(db);
  auto first = letters.Page("a", 0, 2);
  REQUIRE(first);
  REQUIRE(first->size() == 2);
  CHECK((*first)[0].event_id == "a1");
  CHECK((*first)[1].event_id == "a2");
  auto rest = letters.Page("a", (*first)[1].id, 2);
  REQUIRE(rest);
  REQUIRE(rest->size() == 1);
  CHECK((*rest)[0].event_id == "a3");
  auto all = letters.Page("", 0, 10);
  REQUIRE(all);
  CHECK(all->size() == 4);
  CHECK(all->back().consumer == "b");
  CHECK(all->back().payload == R"({"id":"x"})");
  CHECK(all->back().dead_lettered_at == FromUnixMillis(2));
}

TEST_CASE("a resolved dead letter is gone and its resolution remembers who, when and why",
          "[messaging][dead-letter]") {
  ScratchDir dir;
  Database db = OpenInbox(dir);
  SqliteInbox inbox(db);
  REQUIRE(inbox.RecordDeadLetter(Letter("a", "e1"), FromUnixMillis(1000)));
  REQUIRE(inbox.RecordDeadLetter(Letter("b", "e1"), FromUnixMillis(1000)));
  SqliteDeadLetters letters(db);
  auto holding = letters.ConsumersHolding("e1", 5);
  REQUIRE(holding);
  CHECK(*holding == std::vector<std::string>{"a", "b"});

  REQUIRE(letters.RecordFailedRequeue("a", "e1", "still broken", FromUnixMillis(1500)));
  auto letter = letters.Find("a", "e1");
  REQUIRE(letter);
  REQUIRE(letter->has_value());
  CHECK((*letter)->error == "still broken");
  CHECK((*letter)->requeues == 1);
  CHECK((*letter)->last_requeued_at == FromUnixMillis(1500));

  REQUIRE(letters.Resolve(**letter, DeadLetterOutcome::kDiscarded, {"bob", "obsolete"},
                          FromUnixMillis(2000)));
  CHECK_FALSE(letters.Find("a", "e1")->has_value());
  CHECK(letters.Find("b", "e1")->has_value());  // another consumer's stays
  auto resolution = letters.LastResolution("", "e1");
  REQUIRE(resolution);
  REQUIRE(resolution->has_value());
  CHECK((*resolution)->consumer == "a");
  CHECK((*resolution)->outcome == DeadLetterOutcome::kDiscarded);
  CHECK((*resolution)->actor.by == "bob");
  CHECK((*resolution)->actor.reason == "obsolete");
  CHECK((*resolution)->last_error == "still broken");
  CHECK((*resolution)->requeues == 1);
  CHECK((*resolution)->resolved_at == FromUnixMillis(2000));
  CHECK_FALSE(letters.LastResolution("b", "e1")->has_value());
  // The mark stays: a redelivery of a discarded event is still skipped.
  CHECK(*inbox.Lookup("a", "e1") == InboxEntry::kDeadLettered);
}
