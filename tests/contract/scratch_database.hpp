// A real SQLite file with the given schema components, in a directory removed
// when the test ends: the SQLite side of the contract suites.
//
// Ownership: ScratchDatabase owns the directory and the connection.
// Thread-safety: one test thread.
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "infrastructure/scratch_dir.hpp"
#include "logistics/sqlite/database.hpp"
#include "logistics/sqlite/migrations.hpp"

namespace logistics::testing {

using SchemaComponents =
    std::vector<std::pair<std::string, std::span<const sqlite::Migration>>>;

class ScratchDatabase {
 public:
  explicit ScratchDatabase(const SchemaComponents& schema) : db_(Open(dir_, schema)) {}

  sqlite::Database& db() { return db_; }

  // The number of rows in `table` (a name from the schema, never user input).
  std::int64_t Rows(const std::string& table) {
    auto count = db_.Prepare("SELECT COUNT(*) FROM " + table);
    REQUIRE(count);
    auto row = (*count)->Step();
    REQUIRE((row && *row));
    return (*count)->ColumnInt64(0);
  }

 private:
  static sqlite::Database Open(const ScratchDir& dir, const SchemaComponents& schema) {
    auto db = sqlite::Database::Open(dir.File("contract.db"));
    REQUIRE(db);
    for (const auto& [component, migrations] : schema) {
      REQUIRE(sqlite::ApplyMigrations(*db, component, migrations));
    }
    return std::move(*db);
  }

  ScratchDir dir_;  // declared first: outlives the connection
  sqlite::Database db_;
};

}  // namespace logistics::testing
