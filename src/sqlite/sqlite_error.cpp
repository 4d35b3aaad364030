#include "logistics/sqlite/sqlite_error.hpp"

#include <sqlite3.h>

namespace logistics::sqlite {

bool SqliteError::IsUniqueViolation() const {
  return extended_code == SQLITE_CONSTRAINT_UNIQUE || extended_code == SQLITE_CONSTRAINT_PRIMARYKEY;
}

bool SqliteError::IsBusy() const { return code == SQLITE_BUSY || code == SQLITE_LOCKED; }

bool SqliteError::IsFull() const { return code == SQLITE_FULL; }

SqliteError MakeSqliteError(sqlite3* db, int rc, std::string_view context) {
  SqliteError error;
  error.code = rc & 0xFF;
  error.extended_code = rc;
  std::string detail = sqlite3_errstr(rc);
  if (db != nullptr) {
    // The connection's message is more specific ("UNIQUE constraint failed:
    // orders.tracking_number") when it belongs to this rc.
    if (sqlite3_extended_errcode(db) == rc) detail = sqlite3_errmsg(db);
  }
  error.message = std::string(context) + ": " + detail;
  return error;
}

}  // namespace logistics::sqlite
