#include <catch2/catch.hpp>

#include "infrastructure/scratch_dir.hpp"
#include "logistics/messaging/sqlite_idempotency.hpp"

using logistics::common::FromUnixMillis;
using logistics::messaging::RequestHash;
using logistics::messaging::SqliteIdempotency;
using logistics::messaging::StoredReply;
using logistics::sqlite::Database;
using logistics::testing::ScratchDir;

namespace {

Database OpenRecords(const ScratchDir& dir) {
  auto db = Database::Open(dir.File("k.db"));
  REQUIRE(db);
  REQUIRE(logistics::sqlite::ApplyMigrations(*db, "idempotency", SqliteIdempotency::Migrations()));
  return std::move(*db);
}

}  // namespace

TEST_CASE("a stored reply is found until it expires, then replaced", "[messaging][idempotency]") {
  ScratchDir dir;
  Database db = OpenRecords(dir);
  SqliteIdempotency records(db);
  const StoredReply reply{RequestHash("orders.cmd.create", "{}"), 409, R"({"error":{}})", "nope"};
  REQUIRE(records.Store("k1", "orders.cmd.create", reply, FromUnixMillis(10'000)));

  auto found = records.Find("k1", FromUnixMillis(9'000));
  REQUIRE(found);
  REQUIRE(*found);
  CHECK((*found)->status == 409);
  CHECK((*found)->body == reply.body);
  CHECK((*found)->error_message == "nope");
  CHECK_FALSE(*records.Find("k1", FromUnixMillis(10'001)));  // older than the retention
  CHECK_FALSE(*records.Find("other", FromUnixMillis(0)));

  const StoredReply newer{RequestHash("orders.cmd.create", "{\"a\":1}"), 200, "{}", ""};
  REQUIRE(records.Store("k1", "orders.cmd.create", newer, FromUnixMillis(20'000)));
  CHECK((*records.Find("k1", FromUnixMillis(19'000)))->status == 200);
}

TEST_CASE("expired records are deleted in bounded batches", "[messaging][idempotency]") {
  ScratchDir dir;
  Database db = OpenRecords(dir);
  SqliteIdempotency records(db);
  for (int i = 0; i < 4; ++i) {
    REQUIRE(records.Store("k" + std::to_string(i), "s", StoredReply{"h", 200, "{}", ""},
                          FromUnixMillis(1000 + i)));
  }
  CHECK(*records.DeleteCreatedBefore(FromUnixMillis(1003), 2) == 2);
  CHECK(*records.DeleteCreatedBefore(FromUnixMillis(1003), 2) == 1);
  CHECK(*records.DeleteCreatedBefore(FromUnixMillis(1003), 2) == 0);
  CHECK(*records.Find("k3", FromUnixMillis(0)));
}

TEST_CASE("the request hash depends on subject and body and is stable", "[messaging][idempotency]") {
  CHECK(RequestHash("a", "b") == RequestHash("a", "b"));
  CHECK(RequestHash("a", "b") != RequestHash("a", "c"));
  CHECK(RequestHash("ab", "c") != RequestHash("a", "bc"));
  CHECK(RequestHash("", "") != "cbf29ce484222325");  // the separator is mixed in, even when empty
  CHECK(RequestHash("a", "b").size() == 16);
}
