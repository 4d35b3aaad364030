// SqliteError: a failed SQLite call, as a value.
//
// Every SQLite return code in this code base becomes a SqliteError in exactly
// one function (MakeSqliteError in sqlite_error.cpp), which records the primary
// and extended codes and SQLite's own message with what we were doing.
//
// Thread-safety: a plain value.
#pragma once

#include <string>
#include <string_view>

struct sqlite3;

namespace logistics::sqlite {

struct SqliteError {
  int code = 0;           // primary result code (SQLITE_BUSY, SQLITE_CONSTRAINT, ...)
  int extended_code = 0;  // e.g. SQLITE_CONSTRAINT_UNIQUE
  std::string message;    // "<context>: <sqlite message>"

  bool IsUniqueViolation() const;
  bool IsBusy() const;  // SQLITE_BUSY or SQLITE_LOCKED: another writer holds the lock
  bool IsFull() const;  // SQLITE_FULL: the disk is full, or the database at its size limit
};

// The one place where an rc becomes an error. `db` may be null (open failures).
SqliteError MakeSqliteError(sqlite3* db, int rc, std::string_view context);

}  // namespace logistics::sqlite
