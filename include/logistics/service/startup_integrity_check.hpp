// CheckIntegrityAtStart: the start-up check that keeps a service from
// serving from a damaged database file.
//
// A database with a corrupt page opens fine and answers every request that
// does not read that page; the first one that does fails with a 500. So
// ServiceRuntime::Open runs SQLite's quick_check (Database::QuickCheck: every
// page read once, linear in the file size) right after opening the file and
// before the migrations touch it, and refuses to start when it finds damage.
// --skip-integrity-check (SKIP_INTEGRITY_CHECK) skips it, for files so large
// that reading them whole at every start costs too much.
//
// Logs the check's result and duration at info (a skipped check at warn).
//
// Thread-safety: call from main's thread, before other threads use `db`.
#pragma once

#include <string>

#include "logistics/common/result.hpp"
#include "logistics/sqlite/database.hpp"

namespace logistics::service {

// Succeeds when the check passes or `skip` is set. Fails with a message for
// the operator: which file, what SQLite found (at most the first few
// problems), and what to do (restore from a backup, or salvage with
// sqlite3's .recover); also when the check itself cannot run (an I/O error).
common::Result<void, std::string> CheckIntegrityAtStart(sqlite::Database& db, bool skip);

}  // namespace logistics::service
