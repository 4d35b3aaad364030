#include "logistics/sqlite/database.hpp"

#include <sqlite3.h>

#include "logistics/sqlite/storage_health.hpp"

#include <algorithm>
#include <chrono>
#include <thread>
#include <optional>
#include <string>
#include <vector>

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
  // Before SQLite initialises itself with the first connection: its error
  // log is how full disks and damaged files are noticed (storage_health.hpp).
  (void)InstallStorageHealthLog();
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
  // temp_store=MEMORY keeps the statement sub-journals of savepoints in
  // memory: the writer opens a savepoint per job, and a sub-journal in a temp
  // file costs a pwrite for every page a job touches first (a quarter of the
  // writer's time under load, measured with perf). It holds at most the
  // pages one batch changes and is freed at commit.
  const char* pragmas = read_only
                            ? "PRAGMA foreign_keys=ON; PRAGMA query_only=ON; PRAGMA temp_store=MEMORY;"
                            : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                              "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;";
  // Switching a new file to WAL takes an exclusive lock, and SQLite answers
  // SQLITE_BUSY at once, without its busy handler, while another connection
  // (another instance of the service starting on the same file) holds one:
  // wait for it as a busy lock is waited for elsewhere, up to busy_timeout.
  const auto deadline = std::chrono::steady_clock::now() + options.busy_timeout;
  for (;;) {
    auto configured = db.Execute(pragmas);
    if (configured) break;
    if (!configured.error().IsBusy() || std::chrono::steady_clock::now() >= deadline) {
      return common::Unexpected{configured.error()};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
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

// Transaction control runs several times per write job, so it goes through
// the statement cache instead of being parsed again each time.
common::Result<void, SqliteError> Database::RunCached(const std::string& sql) {
  auto statement = Prepare(sql);
  if (!statement) return common::Unexpected{statement.error()};
  return (*statement)->Run();
}

common::Result<void, SqliteError> Database::BeginImmediate() { return RunCached("BEGIN IMMEDIATE"); }
common::Result<void, SqliteError> Database::Commit() { return RunCached("COMMIT"); }

common::Result<void, SqliteError> Database::SetDurableCommits(bool durable) {
  return RunCached(durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
}

void Database::Rollback() {
  if (InTransaction()) (void)RunCached("ROLLBACK");
}

common::Result<void, SqliteError> Database::Savepoint(std::string_view name) {
  return RunCached("SAVEPOINT " + std::string(name));
}
common::Result<void, SqliteError> Database::Release(std::string_view name) {
  return RunCached("RELEASE " + std::string(name));
}
common::Result<void, SqliteError> Database::RollbackTo(std::string_view name) {
  // ROLLBACK TO keeps the savepoint open; RELEASE closes it so the enclosing
  // transaction continues as if the savepoint never existed.
  const std::string n(name);
  if (auto rolled_back = RunCached("ROLLBACK TO " + n); !rolled_back) return rolled_back;
  return RunCached("RELEASE " + n);
}

void Database::SetWalHook(WalHook hook) {
  wal_hook_ = std::make_unique<WalHook>(std::move(hook));
  sqlite3_wal_hook(
      handle_.get(),
      [](void* closure, sqlite3* handle, const char* schema, int frames) {
        if (!(*static_cast<WalHook*>(closure))(frames)) {
          // A failed checkpoint leaves the WAL as it is; the next commit retries.
          (void)sqlite3_wal_checkpoint_v2(handle, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                          nullptr);
        }
        return SQLITE_OK;
      },
      wal_hook_.get());
}

common::Result<void, SqliteError> Database::CheckpointPassive() {
  const int rc =
      sqlite3_wal_checkpoint_v2(handle_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  if (rc != SQLITE_OK) return common::Unexpected{MakeSqliteError(handle_.get(), rc, "checkpoint")};
  return {};
}

common::Result<void, SqliteError> Database::QuickCheck(int max_errors) {
  auto check = Prepare("PRAGMA quick_check(" + std::to_string(std::max(1, max_errors)) + ")");
  if (!check) return common::Unexpected{check.error()};
  std::vector<std::string> problems;
  std::optional<SqliteError> stopped;  // SQLite may give up after reporting some damage
  for (;;) {
    auto row = (*check)->Step();
    if (!row) {
      stopped = row.error();
      break;
    }
    if (!*row) break;
    std::string line = (*check)->ColumnText(0);
    if (line == "ok") continue;
    // The first problem starts with "*** in database main ***\n".
    std::replace(line.begin(), line.end(), '\n', ' ');
    problems.push_back(std::move(line));
  }
  if (problems.empty() && !stopped) return {};
  if (problems.empty()) {
    stopped->message = path_.string() + ": " + stopped->message;
    return common::Unexpected{std::move(*stopped)};
  }
  std::string found = "quick_check of " + path_.string() + " found";
  for (std::size_t i = 0; i < problems.size(); ++i) found += (i == 0 ? " " : "; ") + problems[i];
  if (!stopped) return common::Unexpected{MakeSqliteError(nullptr, SQLITE_CORRUPT, found)};
  stopped->message = found + "; then stopped: " + stopped->message;
  return common::Unexpected{std::move(*stopped)};
}

common::Result<void, SqliteError> Database::CheckpointTruncate() {
  const int rc = sqlite3_wal_checkpoint_v2(handle_.get(), nullptr, SQLITE_CHECKPOINT_TRUNCATE,
                                           nullptr, nullptr);
  if (rc != SQLITE_OK) {
    return common::Unexpected{MakeSqliteError(handle_.get(), rc, "truncating checkpoint")};
  }
  return {};
}

common::Result<void, SqliteError> Database::LimitSize(std::uint64_t bytes) {
  // max_page_count is per connection: the writer's is the one that counts.
  auto size = Prepare("PRAGMA page_size");
  if (!size) return common::Unexpected{size.error()};
  auto row = (*size)->Step();
  if (!row) return common::Unexpected{row.error()};
  const std::int64_t page = (*size)->ColumnInt64(0);
  const std::uint64_t pages =
      bytes == 0 ? std::uint64_t{0xFFFFFFFE} : std::max<std::uint64_t>(1, bytes / static_cast<std::uint64_t>(page));
  return Execute("PRAGMA max_page_count = " + std::to_string(pages));
}

bool Database::InTransaction() const { return sqlite3_get_autocommit(handle_.get()) == 0; }
std::int64_t Database::Changes() const { return sqlite3_changes64(handle_.get()); }
std::int64_t Database::LastInsertRowId() const { return sqlite3_last_insert_rowid(handle_.get()); }

common::Result<std::int64_t, SqliteError> Database::DataVersion() {
  auto pragma = Prepare("PRAGMA data_version");
  if (!pragma) return common::Unexpected{pragma.error()};
  auto row = (*pragma)->Step();
  if (!row) return common::Unexpected{row.error()};
  return *row ? (*pragma)->ColumnInt64(0) : std::int64_t{0};
}

}  // namespace logistics::sqlite
