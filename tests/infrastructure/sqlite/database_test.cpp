#include <sqlite3.h>

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <vector>

#include "infrastructure/scratch_dir.hpp"
#include "logistics/sqlite/database.hpp"
#include "logistics/sqlite/migrations.hpp"
#include "logistics/sqlite/read_pool.hpp"
#include "support/corrupt_page.hpp"

using logistics::sqlite::Database;
using logistics::sqlite::Migration;
using logistics::testing::CorruptMiddlePage;
using logistics::testing::ScratchDir;

namespace {

std::string Pragma(Database& db, const std::string& name) {
  auto select = db.Prepare("PRAGMA " + name);
  REQUIRE(select);
  auto row = (*select)->Step();
  REQUIRE(row);
  REQUIRE(*row);
  return (*select)->ColumnText(0);
}

// A table of 2,000 rows of 200 bytes with an index: a file of about 200
// pages, most of them b-tree leaves.
void FillWithRows(Database& db) {
  REQUIRE(db.Execute(
      "CREATE TABLE t(id INTEGER PRIMARY KEY, payload TEXT NOT NULL);"
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
      "INSERT INTO t SELECT i, printf('%0200d', i) FROM n;"
      "CREATE INDEX t_payload ON t(payload);"));
}

}  // namespace

TEST_CASE("a read-write database is opened in WAL mode with synchronous FULL", "[sqlite]") {
  ScratchDir dir;
  auto db = Database::Open(dir.File("a.db"));
  REQUIRE(db);
  CHECK(Pragma(*db, "journal_mode") == "wal");
  CHECK(Pragma(*db, "synchronous") == "2");  // FULL
  CHECK(Pragma(*db, "foreign_keys") == "1");
}

TEST_CASE("a cached statement comes back reset with its bindings cleared", "[sqlite]") {
  ScratchDir dir;
  auto db = Database::Open(dir.File("a.db"));
  REQUIRE(db);
  REQUIRE(db->Execute("CREATE TABLE t(x TEXT)"));
  {
    auto insert = db->Prepare("INSERT INTO t(x) VALUES(?)");
    REQUIRE(insert);
    (*insert)->Bind(1, "first");
    REQUIRE((*insert)->Run());
  }
  {
    auto insert = db->Prepare("INSERT INTO t(x) VALUES(?)");
    REQUIRE(insert);
    REQUIRE((*insert)->Run());  // unbound parameter is NULL, not "first"
  }
  auto select = db->Prepare("SELECT count(*), count(x) FROM t");
  REQUIRE(select);
  REQUIRE(*(*select)->Step());
  CHECK((*select)->ColumnInt64(0) == 2);
  CHECK((*select)->ColumnInt64(1) == 1);
}

TEST_CASE("a unique violation is reported as such, with SQLite's message", "[sqlite]") {
  ScratchDir dir;
  auto db = Database::Open(dir.File("a.db"));
  REQUIRE(db);
  REQUIRE(db->Execute("CREATE TABLE t(x TEXT UNIQUE); INSERT INTO t VALUES('a')"));
  auto failed = db->Execute("INSERT INTO t VALUES('a')");
  REQUIRE_FALSE(failed);
  CHECK(failed.error().IsUniqueViolation());
  CHECK_THAT(failed.error().message, Catch::Contains("UNIQUE constraint failed: t.x"));
}

TEST_CASE("SQL that does not compile is an error value, not a crash", "[sqlite]") {
  ScratchDir dir;
  auto db = Database::Open(dir.File("a.db"));
  REQUIRE(db);
  auto statement = db->Prepare("SELEC nonsense");
  REQUIRE_FALSE(statement);
  CHECK_THAT(statement.error().message, Catch::Contains("syntax error"));
}

TEST_CASE("a file that is not a database cannot be opened as one", "[sqlite]") {
  ScratchDir dir;
  {
    std::FILE* file = std::fopen(dir.File("junk.db").c_str(), "w");
    std::fputs("this is not a database, just text that is long enough to have a header", file);
    std::fclose(file);
  }
  auto db = Database::Open(dir.File("junk.db"));
  CHECK_FALSE(db);
}

TEST_CASE("a savepoint rolled back undoes only its own writes", "[sqlite]") {
  ScratchDir dir;
  auto db = Database::Open(dir.File("a.db"));
  REQUIRE(db);
  REQUIRE(db->Execute("CREATE TABLE t(x INTEGER)"));
  REQUIRE(db->BeginImmediate());
  REQUIRE(db->Execute("INSERT INTO t VALUES(1)"));
  REQUIRE(db->Savepoint("job"));
  REQUIRE(db->Execute("INSERT INTO t VALUES(2)"));
  REQUIRE(db->RollbackTo("job"));
  REQUIRE(db->Commit());
  auto select = db->Prepare("SELECT group_concat(x) FROM t");
  REQUIRE(select);
  REQUIRE(*(*select)->Step());
  CHECK((*select)->ColumnText(0) == "1");
}

TEST_CASE("read-only connections see committed rows and cannot write", "[sqlite]") {
  ScratchDir dir;
  auto db = Database::Open(dir.File("a.db"));
  REQUIRE(db);
  REQUIRE(db->Execute("CREATE TABLE t(x INTEGER); INSERT INTO t VALUES(7)"));
  auto pool = logistics::sqlite::ReadPool::Open(dir.File("a.db"), 2);
  REQUIRE(pool);
  auto lease = (*pool)->Acquire();
  auto select = lease->Prepare("SELECT x FROM t");
  REQUIRE(select);
  REQUIRE(*(*select)->Step());
  CHECK((*select)->ColumnInt64(0) == 7);
  CHECK_FALSE(lease->Execute("INSERT INTO t VALUES(8)"));
}

SCENARIO("migrations bring a component up to date once, and refuse a newer database",
         "[sqlite][migrations]") {
  ScratchDir dir;
  auto db = Database::Open(dir.File("a.db"));
  REQUIRE(db);
  const std::vector<Migration> v1{{1, "create t", "CREATE TABLE t(x INTEGER)"}};
  const std::vector<Migration> v2{{1, "create t", "CREATE TABLE t(x INTEGER)"},
                                  {2, "add y", "ALTER TABLE t ADD COLUMN y TEXT"}};
  GIVEN("a new database") {
    WHEN("version 1 is applied twice") {
      REQUIRE(logistics::sqlite::ApplyMigrations(*db, "things", v1));
      REQUIRE(logistics::sqlite::ApplyMigrations(*db, "things", v1));
      THEN("the component is at version 1") {
        CHECK(*logistics::sqlite::SchemaVersion(*db, "things") == 1);
      }
      AND_WHEN("version 2 follows") {
        REQUIRE(logistics::sqlite::ApplyMigrations(*db, "things", v2));
        THEN("only the new migration ran") {
          CHECK(*logistics::sqlite::SchemaVersion(*db, "things") == 2);
          CHECK(db->Execute("INSERT INTO t(x, y) VALUES(1, 'a')"));
        }
        AND_WHEN("an older program opens it") {
          auto refused = logistics::sqlite::ApplyMigrations(*db, "things", v1);
          THEN("it refuses with a message naming both versions") {
            REQUIRE_FALSE(refused);
            CHECK_THAT(refused.error().message, Catch::Contains("schema version 2 is newer"));
            CHECK_THAT(refused.error().message, Catch::Contains("supports (1)"));
          }
        }
      }
    }
    WHEN("a migration fails") {
      const std::vector<Migration> broken{{1, "create t", "CREATE TABLE t(x INTEGER)"},
                                          {2, "broken", "ALTER TABLE nope ADD COLUMN y"}};
      auto failed = logistics::sqlite::ApplyMigrations(*db, "things", broken);
      THEN("the error names it, and the earlier migration stays applied") {
        REQUIRE_FALSE(failed);
        CHECK_THAT(failed.error().message, Catch::Contains("migration 2 (broken) failed"));
        CHECK(*logistics::sqlite::SchemaVersion(*db, "things") == 1);
      }
    }
  }
}

TEST_CASE("migrations keep their statement journals on disk and give the connection back as it was",
          "[sqlite][migrations]") {
  ScratchDir dir;
  auto db = Database::Open(dir.File("a.db"));
  REQUIRE(db);
  REQUIRE(Pragma(*db, "temp_store") == "2");  // MEMORY, for the writer's savepoints
  // The migration records the setting it ran under.
  const std::vector<Migration> migrations{
      {1, "record temp_store", "CREATE TABLE seen AS SELECT temp_store FROM pragma_temp_store"}};
  REQUIRE(logistics::sqlite::ApplyMigrations(*db, "things", migrations));
  auto seen = db->Prepare("SELECT temp_store FROM seen");
  REQUIRE(seen);
  REQUIRE(*(*seen)->Step());
  CHECK((*seen)->ColumnInt64(0) == 1);  // FILE: a big migration's sub-journal is not held in memory
  CHECK(Pragma(*db, "temp_store") == "2");
}

TEST_CASE("quick_check passes a sound database", "[sqlite][integrity]") {
  ScratchDir dir;
  auto db = Database::Open(dir.File("a.db"));
  REQUIRE(db);
  FillWithRows(*db);
  CHECK(db->QuickCheck(10));
}

TEST_CASE("quick_check finds a page overwritten with garbage in the middle of the file",
          "[sqlite][integrity]") {
  ScratchDir dir;
  {
    auto db = Database::Open(dir.File("a.db"));
    REQUIRE(db);
    FillWithRows(*db);
  }
  const std::int64_t page = CorruptMiddlePage(dir.File("a.db"), "t");

  auto db = Database::Open(dir.File("a.db"));
  REQUIRE(db);  // the header is intact: the damage shows only when the page is read
  auto first = db->Prepare("SELECT payload FROM t WHERE id = 1");
  REQUIRE(first);
  CHECK(*(*first)->Step());  // a query that misses the page works

  auto checked = db->QuickCheck(10);
  REQUIRE_FALSE(checked);
  CHECK(checked.error().code == SQLITE_CORRUPT);
  CHECK_THAT(checked.error().message, Catch::Contains(dir.File("a.db").string()));
  CHECK_THAT(checked.error().message, Catch::Contains("Page " + std::to_string(page) + ":"));

  auto all = db->Prepare("SELECT count(*) FROM t");
  REQUIRE(all);
  CHECK_FALSE((*all)->Step());  // what the check saves a service from meeting later
}

TEST_CASE("instances opening a new database file at the same moment all open it, in WAL mode",
          "[sqlite]") {
  // Two instances of a service started together race to switch the new
  // file to WAL; the loser must wait, not fail ("database is locked").
  // Processes, not threads: SQLite's locks between connections of one
  // process do not show the race.
  for (int round = 0; round < 20; ++round) {
    ScratchDir dir;
    const auto file = dir.File("shared.db");
    constexpr int kInstances = 4;
    std::vector<pid_t> children;
    for (int i = 0; i < kInstances; ++i) {
      const pid_t child = ::fork();
      REQUIRE(child >= 0);
      if (child == 0) {
        auto db = Database::Open(file);
        static constexpr std::array<Migration, 1> kSchema{{{1, "create t", "CREATE TABLE t(x);"}}};
        const bool ok = db && logistics::sqlite::ApplyMigrations(*db, "test", kSchema);
        ::_exit(ok ? 0 : 1);
      }
      children.push_back(child);
    }
    int failed = 0;
    for (const pid_t child : children) {
      int status = 0;
      REQUIRE(::waitpid(child, &status, 0) == child);
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed;
    }
    INFO("round " << round);
    CHECK(failed == 0);
  }
}
