#include "logistics/sqlite/checkpointer.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "infrastructure/scratch_dir.hpp"
#include "logistics/sqlite/database.hpp"
#include "support/harness/eventually.hpp"

using logistics::sqlite::Checkpointer;
using logistics::sqlite::Database;
using logistics::testing::ScratchDir;

namespace {

void InsertRows(Database& db, int transactions) {
  const std::string body(2000, 'x');  // about half a page per row
  for (int i = 0; i < transactions; ++i) {
    REQUIRE(db.BeginImmediate());
    auto insert = db.Prepare("INSERT INTO t(body) VALUES(?)");
    REQUIRE(insert);
    (*insert)->Bind(1, body);
    REQUIRE((*insert)->Run());
    REQUIRE(db.Commit());
  }
}

}  // namespace

TEST_CASE("the checkpointer copies the WAL back on its own thread once it passes the threshold",
          "[sqlite][checkpointer]") {
  ScratchDir dir;
  auto db = Database::Open(dir.File("c.db"));
  REQUIRE(db);
  REQUIRE(db->Execute("CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT)"));
  auto checkpointer = Checkpointer::Start(*db, /*threshold_frames=*/50);
  REQUIRE(checkpointer);
  InsertRows(*db, 20);  // well under 50 frames
  CHECK((*checkpointer)->checkpoints() == 0);
  InsertRows(*db, 200);
  REQUIRE(logistics::testing::Eventually([&] { return (*checkpointer)->checkpoints() > 0; }));
  // The database file now holds what the WAL held: it grew past its first pages.
  CHECK(std::filesystem::file_size(dir.File("c.db")) > 100 * 4096);
}

TEST_CASE("with the checkpointer the WAL stays bounded under steady writes",
          "[sqlite][checkpointer]") {
  ScratchDir dir;
  auto db = Database::Open(dir.File("c.db"));
  REQUIRE(db);
  REQUIRE(db->Execute("CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT)"));
  auto checkpointer = Checkpointer::Start(*db, /*threshold_frames=*/100, /*hard_limit_frames=*/400);
  REQUIRE(checkpointer);
  InsertRows(*db, 3000);  // several thousand frames written in all
  // The WAL file keeps the largest size it ever had. Without a checkpoint
  // that reaches its end it would hold every frame (> 20 MB).
  const auto wal_bytes = std::filesystem::file_size(dir.File("c.db-wal"));
  CHECK(wal_bytes < 600 * (4096 + 24));
}
