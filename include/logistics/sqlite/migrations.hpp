// Versioned schema migrations, applied at start-up.
//
// Each component that owns tables in a database (the outbox, the orders
// aggregate, later the inbox and projections) declares its migrations as an
// ordered list of numbered SQL scripts. ApplyMigrations records the version of
// each component in the table `schema_version(component, version,
// applied_at)`, applies the missing scripts each in its own transaction, and
// refuses to touch a database whose recorded version is newer than this binary
// knows: running old code on a newer schema could silently corrupt data.
//
// Thread-safety: call from the thread that owns the connection, before the
// service starts taking work.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "logistics/common/result.hpp"
#include "logistics/sqlite/database.hpp"

namespace logistics::sqlite {

struct Migration {
  int version;  // 1, 2, 3, ... without gaps
  std::string_view description;
  std::string_view sql;
};

struct MigrationError {
  std::string message;  // names the component, the versions and the database file
};

// Brings `component` up to the last migration's version.
// Fails when the database records a newer version than the list knows, when a
// migration's SQL fails (that migration is rolled back; earlier ones stay), or
// on any SQLite error.
common::Result<void, MigrationError> ApplyMigrations(Database& db, std::string_view component,
                                                     std::span<const Migration> migrations);

// The recorded version of a component, 0 when it has none.
common::Result<int, SqliteError> SchemaVersion(Database& db, std::string_view component);

}  // namespace logistics::sqlite
