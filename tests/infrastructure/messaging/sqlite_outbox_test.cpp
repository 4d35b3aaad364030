#include <catch2/catch.hpp>

#include "infrastructure/scratch_dir.hpp"
#include "logistics/messaging/sqlite_outbox.hpp"
#include "logistics/sqlite/migrations.hpp"

using logistics::common::FromUnixMillis;
using logistics::messaging::OutboxMessage;
using logistics::messaging::SqliteOutbox;
using logistics::sqlite::Database;
using logistics::testing::ScratchDir;

namespace {

constexpr std::size_t kLimit = logistics::messaging::kDefaultMaxEventBytes;

Database OpenOutbox(const ScratchDir& dir) {
  auto db = Database::Open(dir.File("o.db"));
  REQUIRE(db);
  REQUIRE(logistics::sqlite::ApplyMigrations(*db, "outbox", SqliteOutbox::Migrations()));
  return std::move(*db);
}

OutboxMessage Message(const std::string& id) {
  return OutboxMessage{id, "orders.events.x.created", {{"Nats-Msg-Id", id}}, "{\"id\":\"" + id + "\"}"};
}

}  // namespace

TEST_CASE("unpublished rows are read in id order after a cursor, with their headers",
          "[messaging][outbox]") {
  ScratchDir dir;
  Database db = OpenOutbox(dir);
  SqliteOutbox outbox(db);
  for (const char* id : {"e1", "e2", "e3"}) {
    REQUIRE(outbox.Append(Message(id), FromUnixMillis(1000), kLimit));
  }
  auto rows = outbox.ReadUnpublished(0, 10);
  REQUIRE(rows);
  REQUIRE(rows->size() == 3);
  CHECK(rows->at(0).message.event_id == "e1");
  CHECK(rows->at(2).message.event_id == "e3");
  CHECK(rows->at(1).message.headers ==
        logistics::messaging::Headers{{"Nats-Msg-Id", "e2"}});
  auto after_first = outbox.ReadUnpublished(rows->at(0).id, 1);
  REQUIRE(after_first);
  REQUIRE(after_first->size() == 1);
  CHECK(after_first->front().message.event_id == "e2");
}

TEST_CASE("published rows are skipped by the relay and deleted after the horizon",
          "[messaging][outbox]") {
  ScratchDir dir;
  Database db = OpenOutbox(dir);
  SqliteOutbox outbox(db);
  for (const char* id : {"e1", "e2", "e3"}) {
    REQUIRE(outbox.Append(Message(id), FromUnixMillis(1000), kLimit));
  }
  auto rows = *outbox.ReadUnpublished(0, 10);
  const std::vector<std::int64_t> first_two{rows[0].id, rows[1].id};
  REQUIRE(outbox.MarkPublished(first_two, FromUnixMillis(2000)));

  auto left = outbox.ReadUnpublished(0, 10);
  REQUIRE(left);
  REQUIRE(left->size() == 1);
  CHECK(left->front().message.event_id == "e3");

  auto stats = outbox.Stats();
  REQUIRE(stats);
  CHECK(stats->unpublished == 1);
  CHECK(stats->oldest_unpublished_created_at == FromUnixMillis(1000));

  auto none = outbox.DeletePublishedBefore(FromUnixMillis(2000), 10);  // not yet past the horizon
  REQUIRE(none);
  CHECK(*none == 0);
  auto one = outbox.DeletePublishedBefore(FromUnixMillis(2001), 1);  // bounded batch
  REQUIRE(one);
  CHECK(*one == 1);
  auto rest = outbox.DeletePublishedBefore(FromUnixMillis(2001), 10);
  REQUIRE(rest);
  CHECK(*rest == 1);
  CHECK(outbox.Stats()->last_id == rows[2].id);  // ids are never reused
}

TEST_CASE("a failed attempt is counted with its error", "[messaging][outbox]") {
  ScratchDir dir;
  Database db = OpenOutbox(dir);
  SqliteOutbox outbox(db);
  REQUIRE(outbox.Append(Message("e1"), FromUnixMillis(1000), kLimit));
  const auto id = outbox.ReadUnpublished(0, 1)->front().id;
  REQUIRE(outbox.RecordFailure(id, "no stream"));
  REQUIRE(outbox.RecordFailure(id, "no stream"));
  CHECK(outbox.ReadUnpublished(0, 1)->front().attempts == 2);
}

TEST_CASE("an event id can be appended only once", "[messaging][outbox]") {
  ScratchDir dir;
  Database db = OpenOutbox(dir);
  SqliteOutbox outbox(db);
  REQUIRE(outbox.Append(Message("e1"), FromUnixMillis(1000), kLimit));
  auto again = outbox.Append(Message("e1"), FromUnixMillis(1000), kLimit);
  REQUIRE_FALSE(again);
  CHECK(std::get<logistics::sqlite::SqliteError>(again.error()).IsUniqueViolation());
}

TEST_CASE("a message larger on the wire than the server accepts is refused, and nothing is written",
          "[messaging][outbox]") {
  ScratchDir dir;
  Database db = OpenOutbox(dir);
  SqliteOutbox outbox(db);
  const OutboxMessage message = Message("e1");
  const std::size_t wire = logistics::messaging::WireSize(message);

  auto refused = outbox.Append(message, FromUnixMillis(1000), wire - 1);
  REQUIRE_FALSE(refused);
  const auto* too_large = std::get_if<logistics::messaging::MessageTooLarge>(&refused.error());
  REQUIRE(too_large != nullptr);
  CHECK(too_large->event_id == "e1");
  CHECK(too_large->wire_bytes == wire);
  CHECK(too_large->max_bytes == wire - 1);
  CHECK(ToPortError("orders storage", refused.error()).kind ==
        logistics::common::PortErrorKind::kEventTooLarge);
  CHECK(logistics::messaging::ToPortError(
            "orders storage", logistics::messaging::AppendError{logistics::sqlite::SqliteError{}})
            .kind ==
        logistics::common::PortErrorKind::kFailure);
  CHECK(outbox.Stats()->last_id == 0);

  // Exactly the limit fits.
  REQUIRE(outbox.Append(message, FromUnixMillis(1000), wire));
  CHECK(outbox.ReadUnpublished(0, 10)->size() == 1);
}
