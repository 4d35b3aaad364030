// StorageHealth: what SQLite has said about the storage under this process's
// databases, for the status, the replies and the writer's decisions.
//
// SQLite reports every error through its error log (SQLITE_CONFIG_LOG), on
// the thread that met it, whatever the connection and whoever the caller.
// InstallStorageHealthLog() (called by Database::Open before the first
// connection opens) routes that log here and keeps two facts:
//   - full: a write was refused for lack of space (SQLITE_FULL: the disk is
//     full, or the database reached its size limit). Writes are retried by
//     their owners; the writer clears the flag with its next durable commit.
//   - corrupt: a page of a database file is damaged (SQLITE_CORRUPT,
//     SQLITE_NOTADB). Logged once as an error, with what to do, and kept
//     for the status: corruption does not heal while the process runs.
// Each thread also counts the full errors it met itself, so the writer can
// tell which of its jobs failed for lack of space.
//
// Thread-safety: every function is safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "logistics/common/port_error.hpp"
#include "logistics/common/time.hpp"
#include "logistics/sqlite/sqlite_error.hpp"

namespace logistics::sqlite {

struct StorageHealthSnapshot {
  bool full = false;  // the last write attempt was refused for lack of space
  std::uint64_t full_errors = 0;  // since start
  std::optional<common::Timestamp> full_since;
  bool corrupt = false;
  std::string corruption;  // SQLite's first message about it
};

// Routes SQLite's error log here. Idempotent; false when SQLite was already
// initialised by someone else (the log then stays SQLite's own).
bool InstallStorageHealthLog();

StorageHealthSnapshot StorageHealth();

// Full errors met on the calling thread since it started (monotonic).
std::uint64_t FullErrorsOnThisThread();

// Records a full error that SQLite returned without logging it (a COMMIT
// refused for lack of space), on the calling thread too.
void RecordStorageFull();

// A write committed: space is available again.
void MarkStorageWritable();

// The PortError for a failed storage call: its kind says whether the disk is
// full or the database damaged, so transports can answer 503 STORAGE_FULL or
// 500 STORAGE_CORRUPT instead of an anonymous 500.
common::PortError ToPortError(std::string_view context, const SqliteError& error);

}  // namespace logistics::sqlite
