// Parked outbox rows (sqlite_parked_events.hpp) on a real SQLite file: an
// aggregate's rows are found by subject prefix, parked from a row on, kept
// out of the relay's reads and the unpublished count, joined by the
// aggregate's new rows, listed, requeued and discarded.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "infrastructure/scratch_dir.hpp"
#include "logistics/messaging/sqlite_outbox.hpp"
#include "logistics/messaging/sqlite_parked_events.hpp"
#include "logistics/sqlite/migrations.hpp"

using logistics::common::FromUnixMillis;
using logistics::messaging::AggregateOf;
using logistics::messaging::AggregateRangeOf;
using logistics::messaging::OutboxMessage;
using logistics::messaging::SqliteOutbox;
using logistics::messaging::SqliteParkedEvents;
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

// Event `id` of order `order` ("orders.events.<order>.<name>").
OutboxMessage Event(const std::string& id, const std::string& order,
                    const std::string& name = "created") {
  return OutboxMessage{id, "orders.events." + order + "." + name, {{"Nats-Msg-Id", id}}, "{}"};
}

std::vector<std::string> UnpublishedIds(SqliteOutbox& outbox) {
  std::vector<std::string> ids;
  auto rows = outbox.ReadUnpublished(0, 100);
  REQUIRE(rows);
  for (const auto& row : *rows) ids.push_back(row.message.event_id);
  return ids;
}

}  // namespace

TEST_CASE("an event's aggregate is its subject up to the last token", "[messaging][parking]") {
  CHECK(AggregateOf("orders.events.o-1.created") == "orders.events.o-1.");
  CHECK(AggregateOf("payments.events.p-9.refunded") == "payments.events.p-9.");
  CHECK(AggregateOf("single") == "single.");
  const auto range = AggregateRangeOf("orders.events.o-1.");
  CHECK(range.first == "orders.events.o-1.");
  CHECK(range.past_last == "orders.events.o-1/");
  // Another order whose id starts alike is not in the range.
  CHECK(std::string("orders.events.o-10.created") >= range.past_last);
}

TEST_CASE("parking keeps an aggregate's rows from the parked one on out of the relay's reads",
          "[messaging][parking]") {
  ScratchDir dir;
  Database db = OpenOutbox(dir);
  SqliteOutbox outbox(db);
  SqliteParkedEvents parked(db);
  for (const auto& event : {Event("e1", "o-1"), Event("e2", "o-1", "paid"), Event("e3", "o-10"),
                            Event("e4", "o-1", "dispatched")}) {
    REQUIRE(outbox.Append(event, FromUnixMillis(1000), kLimit));
  }
  auto count = parked.Park("orders.events.o-1.", 2, "too large", FromUnixMillis(2000));
  REQUIRE(count);
  CHECK(*count == 2);  // e2 and e4; e1 came before, e3 is another order
  CHECK(UnpublishedIds(outbox) == std::vector<std::string>{"e1", "e3"});
  auto stats = outbox.Stats();
  REQUIRE(stats);
  CHECK(stats->unpublished == 2);
  CHECK(stats->parked == 2);
  CHECK(stats->first_parked_at == FromUnixMillis(2000));

  // A new event of the parked order is parked as it is appended; another
  // order's is not.
  REQUIRE(outbox.Append(Event("e5", "o-1", "delivered"), FromUnixMillis(3000), kLimit));
  REQUIRE(outbox.Append(Event("e6", "o-2"), FromUnixMillis(3000), kLimit));
  CHECK(UnpublishedIds(outbox) == std::vector<std::string>{"e1", "e3", "e6"});

  auto listed = parked.List(0, 10);
  REQUIRE(listed);
  REQUIRE(listed->size() == 3);
  CHECK((*listed)[0].event_id == "e2");
  CHECK((*listed)[0].error == "too large");
  CHECK((*listed)[2].event_id == "e5");
  auto found = parked.Find("e4");
  REQUIRE(found);
  REQUIRE(found->has_value());
  CHECK((*found)->subject == "orders.events.o-1.dispatched");
  auto absent = parked.Find("e1");
  REQUIRE(absent);
  CHECK_FALSE(absent->has_value());
}

TEST_CASE("a requeue hands an aggregate's parked rows back from the first, and a discard deletes "
          "one parked event",
          "[messaging][parking]") {
  ScratchDir dir;
  Database db = OpenOutbox(dir);
  SqliteOutbox outbox(db);
  SqliteParkedEvents parked(db);
  for (const auto& event :
       {Event("e1", "o-1"), Event("e2", "o-1", "paid"), Event("e3", "o-2"), Event("e4", "o-2")}) {
    REQUIRE(outbox.Append(event, FromUnixMillis(1000), kLimit));
  }
  REQUIRE(parked.Park("orders.events.o-1.", 1, "no stream", FromUnixMillis(2000)));
  REQUIRE(parked.Park("orders.events.o-2.", 4, "no stream", FromUnixMillis(2000)));

  auto discarded = parked.Discard("e1");
  REQUIRE(discarded);
  CHECK(*discarded);
  auto not_parked = parked.Discard("e3");
  REQUIRE(not_parked);
  CHECK_FALSE(*not_parked);  // only parked events can be discarded

  auto first = parked.Requeue("orders.events.o-1.");
  REQUIRE(first);
  CHECK(*first == 2);
  CHECK(UnpublishedIds(outbox) == std::vector<std::string>{"e2", "e3"});
  auto none = parked.Requeue("orders.events.o-1.");
  REQUIRE(none);
  CHECK_FALSE(none->has_value());

  auto all = parked.Requeue("");
  REQUIRE(all);
  CHECK(*all == 4);
  CHECK(UnpublishedIds(outbox) == std::vector<std::string>{"e2", "e3", "e4"});
}
