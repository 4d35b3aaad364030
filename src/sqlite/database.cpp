#include "logistics/sqlite/database.hpp"

#include <sqlite3.h>

namespace logistics::sqlite {

void Database::Closer::operator()(sqlite3* handle) const { sqlite3_close_v2(handle); }

Database::Database(sqlite3* handle, std::filesystem::path path)
    : handle_(handle), path_(std::move(path)) {}
Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;

Database::~Database() {
  // Statements must be finalized before the connection closes.
  statements_.clear();
}

common::Result<Database, SqliteError> Database::Open(const std::filesystem::path& path,
                                                     DatabaseOptions options) {
  const bool read_only = options.mode == OpenMode::kReadOnly;
  const int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                    SQLITE_OPEN_NOMUTEX;
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Database db(raw, path);  // owns the handle even when open failed
  if (rc != SQLITE_OK) {
    return common::Unexpected{MakeSqliteError(raw, rc, "open " + path.string())};
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, static_cast<int>(options.busy_timeout.count()));

  // journal_mode is persistent in the file; a read-only connection cannot set
  // it and relies on the writer having done so.
  const char* pragmas = read_only
                            ? "PRAGMA foreign_keys=ON; PRAGMA query_only=ON;"
                            : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                              "PRAGMA foreign_keys=ON;";
  if (auto configured = db.Execute(pragmas); !configured) {
    return common::Unexpected{configured.error()};
  }
  return db;
}

common::Result<void, SqliteError> Database::Execute(std::string_view sql) {
  const std::string text(sql);
  const int rc = sqlite3_exec(handle_.get(), text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return common::Unexpected{MakeSqliteError(handle_.get(), rc, text)};
  return {};
}

common::Result<StatementLease, SqliteError> Database::Prepare(std::string_view sql) {
  std::string key(sql);
  auto found = statements_.find(key);
  if (found == statements_.end()) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(handle_.get(), key.data(), static_cast<int>(key.size()),
                                      SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(raw);
      return common::Unexpected{MakeSqliteError(handle_.get(), rc, "prepare " + key)};
    }
    found = statements_.emplace(std::move(key), std::make_unique<Statement>(handle_.get(), raw))
                .first;
  }
  return StatementLease(found->second.get());
}

common::Result<void, SqliteError> Database::BeginImmediate() { return Execute("BEGIN IMMEDIATE"); }
common::Result<void, SqliteError> Database::Commit() { return Execute("COMMIT"); }

void Database::Rollback() {
  if (InTransaction()) (void)Execute("ROLLBACK");
}

common::Result<void, SqliteError> Database::Savepoint(std::string_view name) {
  return Execute("SAVEPOINT " + std::string(name));
}
common::Result<void, SqliteError> Database::Release(std::string_view name) {
  return Execute("RELEASE " + std::string(name));
}
common::Result<void, SqliteError> Database::RollbackTo(std::string_view name) {
  // ROLLBACK TO keeps the savepoint open; RELEASE closes it so the enclosing
  // transaction continues as if the savepoint never existed.
  const std::string n(name);
  return Execute("ROLLBACK TO " + n + "; RELEASE " + n);
}

bool Database::InTransaction() const { return sqlite3_get_autocommit(handle_.get()) == 0; }
std::int64_t Database::Changes() const { return sqlite3_changes64(handle_.get()); }
std::int64_t Database::LastInsertRowId() const { return sqlite3_last_insert_rowid(handle_.get()); }

}  // namespace logistics::sqlite
