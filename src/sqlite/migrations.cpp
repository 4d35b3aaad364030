#include "logistics/sqlite/migrations.hpp"

#include <chrono>

namespace logistics::sqlite {
namespace {

constexpr std::string_view kCreateVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " component TEXT PRIMARY KEY,"
    " version INTEGER NOT NULL,"
    " applied_at INTEGER NOT NULL)";

MigrationError Fail(const Database& db, std::string_view component, const std::string& what) {
  return MigrationError{"database " + db.path().string() + ", component '" +
                        std::string(component) + "': " + what};
}

}  // namespace

common::Result<int, SqliteError> SchemaVersion(Database& db, std::string_view component) {
  if (auto created = db.Execute(kCreateVersionTable); !created) {
    return common::Unexpected{created.error()};
  }
  auto select = db.Prepare("SELECT version FROM schema_version WHERE component = ?");
  if (!select) return common::Unexpected{select.error()};
  (*select)->Bind(1, component);
  auto row = (*select)->Step();
  if (!row) return common::Unexpected{row.error()};
  return *row ? static_cast<int>((*select)->ColumnInt64(0)) : 0;
}

common::Result<void, MigrationError> ApplyMigrations(Database& db, std::string_view component,
                                                     std::span<const Migration> migrations) {
  auto current = SchemaVersion(db, component);
  if (!current) return common::Unexpected{Fail(db, component, current.error().message)};
  const int known = migrations.empty() ? 0 : migrations.back().version;
  if (*current > known) {
    return common::Unexpected{Fail(
        db, component,
        "schema version " + std::to_string(*current) + " is newer than this program supports (" +
            std::to_string(known) +
            "); refusing to start. Run a newer release, or restore a backup made for this one.")};
  }
  for (const Migration& migration : migrations) {
    if (migration.version <= *current) continue;
    if (auto begun = db.BeginImmediate(); !begun) {
      return common::Unexpected{Fail(db, component, begun.error().message)};
    }
    auto applied = db.Execute(migration.sql);
    if (applied) {
      auto record = db.Prepare(
          "INSERT INTO schema_version(component, version, applied_at) VALUES(?, ?, ?) "
          "ON CONFLICT(component) DO UPDATE SET version = excluded.version, "
          "applied_at = excluded.applied_at");
      if (!record) {
        applied = common::Unexpected{record.error()};
      } else {
        const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        (*record)->Bind(1, component).Bind(2, std::int64_t{migration.version}).Bind(3, now);
        applied = (*record)->Run();
      }
    }
    if (applied) applied = db.Commit();
    if (!applied) {
      db.Rollback();
      return common::Unexpected{Fail(db, component,
                                     "migration " + std::to_string(migration.version) + " (" +
                                         std::string(migration.description) +
                                         ") failed: " + applied.error().message)};
    }
  }
  return {};
}

}  // namespace logistics::sqlite
