#include "logistics/sqlite/migrations.hpp"

#include <chrono>
#include <cstdint>
#include <string>

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

// While migrations run, statement journals go to a temporary file instead of
// memory (the connection's temp_store=MEMORY, see Database::Open): a
// migration rewrites a whole table or index at once, and DROP INDEX on
// 1,000,000 orders held 62 MiB of sub-journal in memory. Restores the
// connection's own setting when it ends.
class TempStoreOnDisk {
 public:
  explicit TempStoreOnDisk(Database& db) : db_(db) {
    if (auto select = db_.Prepare("PRAGMA temp_store"); select) {
      if (auto row = (*select)->Step(); row && *row) saved_ = (*select)->ColumnInt64(0);
    }
    (void)db_.Execute("PRAGMA temp_store=FILE");
  }
  ~TempStoreOnDisk() { (void)db_.Execute("PRAGMA temp_store=" + std::to_string(saved_)); }
  TempStoreOnDisk(const TempStoreOnDisk&) = delete;
  TempStoreOnDisk& operator=(const TempStoreOnDisk&) = delete;

 private:
  Database& db_;
  std::int64_t saved_ = 0;  // 0 = DEFAULT, 1 = FILE, 2 = MEMORY
};

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
  if (known <= *current) return {};
  const TempStoreOnDisk journals_on_disk(db);
  for (const Migration& migration : migrations) {
    if (migration.version <= *current) continue;
    if (auto begun = db.BeginImmediate(); !begun) {
      return common::Unexpected{Fail(db, component, begun.error().message)};
    }
    // Read again under the write lock: another instance of the service on
    // the same file may have applied it since (they start together).
    auto now_current = SchemaVersion(db, component);
    if (now_current && *now_current >= migration.version) {
      db.Rollback();
      continue;
    }
    auto applied = now_current ? db.Execute(migration.sql)
                               : common::Result<void, SqliteError>(
                                     common::Unexpected{now_current.error()});
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
