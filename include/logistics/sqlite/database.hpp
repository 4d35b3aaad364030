// Database: one SQLite connection, with the settings this system relies on.
//
// Open() configures every read-write connection for durability: WAL journal,
// synchronous=FULL (a commit returns only once it is on disk), a busy timeout
// (several instances may share a database; SQLite serialises their writers),
// and foreign keys on. Read-only connections share the WAL and never block the
// writer. Prepared statements are cached per connection by their SQL text.
//
// Ownership: a Database owns its sqlite3 handle and its statements; it is
// movable, not copyable. Thread-safety: none; one thread uses a connection at a
// time (SQLite is built thread-safe, but statements and transactions are
// per-connection state).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "logistics/common/result.hpp"
#include "logistics/sqlite/sqlite_error.hpp"
#include "logistics/sqlite/statement.hpp"

struct sqlite3;

namespace logistics::sqlite {

enum class OpenMode { kReadWriteCreate, kReadOnly };

struct DatabaseOptions {
  OpenMode mode = OpenMode::kReadWriteCreate;
  std::chrono::milliseconds busy_timeout{5000};
};

class Database {
 public:
  // Opens (creating it if allowed) and configures the connection. Fails when
  // the file cannot be opened or is not a database, or a pragma fails.
  static common::Result<Database, SqliteError> Open(const std::filesystem::path& path,
                                                    DatabaseOptions options = {});

  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;
  ~Database();

  // Runs one or more statements with no parameters and no result rows.
  common::Result<void, SqliteError> Execute(std::string_view sql);

  // The cached statement for this SQL, prepared on first use. Fails for SQL
  // that does not compile (a programming error, reported, never asserted).
  common::Result<StatementLease, SqliteError> Prepare(std::string_view sql);

  // BEGIN IMMEDIATE: takes the write lock now, so reads inside the
  // transaction see the state its writes will build on.
  common::Result<void, SqliteError> BeginImmediate();
  common::Result<void, SqliteError> Commit();
  // Never fails in a way the caller can act on; errors are swallowed because
  // SQLite may already have rolled back (after an I/O error, for example).
  void Rollback();
  common::Result<void, SqliteError> Savepoint(std::string_view name);
  common::Result<void, SqliteError> Release(std::string_view name);
  common::Result<void, SqliteError> RollbackTo(std::string_view name);

  // Calls `hook(frames in the WAL)` after every commit on this connection,
  // in place of SQLite's automatic checkpoint (see Checkpointer), on the
  // committing thread: it must be quick. When it returns false, this
  // connection runs a PASSIVE checkpoint at once, as SQLite's own would.
  using WalHook = std::function<bool(int frames)>;
  void SetWalHook(WalHook hook);
  // A PASSIVE checkpoint: copies what it can from the WAL into the database
  // without waiting for readers or the writer.
  common::Result<void, SqliteError> CheckpointPassive();
  // A TRUNCATE checkpoint: copies the whole WAL into the database (waiting,
  // within the busy timeout, for readers) and truncates the WAL file to zero
  // bytes, giving its space back to the file system. Outside a transaction.
  common::Result<void, SqliteError> CheckpointTruncate();

  // Whether the next commits wait for the disk (synchronous=FULL, the
  // default) or only reach the OS (NORMAL: they survive a crash of the
  // process but not of the machine, and become durable with the next FULL
  // commit, which syncs the WAL they were appended to). Outside a
  // transaction only.
  common::Result<void, SqliteError> SetDurableCommits(bool durable);

  // PRAGMA quick_check(max_errors): reads every page of the database and
  // checks its b-tree structure, record formats and NOT NULL and CHECK
  // constraints (not index contents against their tables, which is
  // integrity_check's slower extra). Reads only; its time grows linearly with
  // the file size, so a caller may skip it for very large files.
  // Succeeds when SQLite finds nothing wrong. Fails when it finds damage,
  // with code SQLITE_CORRUPT (or the rc SQLite stopped the check with after
  // reporting some) and a message naming the file and giving the first
  // `max_errors` (at least 1) problems SQLite reported, "; "-separated; or
  // with the rc of the failed call, after the file's name, when the check
  // cannot run at all (an I/O error, a page too damaged to read,
  // SQLITE_NOTADB).
  common::Result<void, SqliteError> QuickCheck(int max_errors);

  // Refuses writes that would grow the file beyond `bytes` (SQLITE_FULL, as
  // on a full disk); never below the current size. 0: no limit.
  common::Result<void, SqliteError> LimitSize(std::uint64_t bytes);

  // True while a transaction is open (false after SQLite aborted one itself).
  bool InTransaction() const;
  std::int64_t Changes() const;
  std::int64_t LastInsertRowId() const;
  // PRAGMA data_version: changes whenever another connection (of this process
  // or another) commits to the file; cheap enough to poll.
  common::Result<std::int64_t, SqliteError> DataVersion();
  const std::filesystem::path& path() const { return path_; }

 private:
  Database(sqlite3* handle, std::filesystem::path path);
  // One statement without parameters, through the statement cache.
  common::Result<void, SqliteError> RunCached(const std::string& sql);

  struct Closer {
    void operator()(sqlite3* handle) const;
  };
  // Declared before the handle so statements are finalized before it closes.
  std::unique_ptr<sqlite3, Closer> handle_;
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
  std::filesystem::path path_;
  // On the heap, so the address SQLite holds survives a move of the Database.
  std::unique_ptr<WalHook> wal_hook_;
};

}  // namespace logistics::sqlite
