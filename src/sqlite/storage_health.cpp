#include "logistics/sqlite/storage_health.hpp"

#include <sqlite3.h>

#include <atomic>
#include <mutex>

#include "logistics/common/clock.hpp"
#include "logistics/logging/log.hpp"

namespace logistics::sqlite {
namespace {

struct State {
  std::mutex mutex;
  StorageHealthSnapshot health;
};

State& Shared() {
  static State state;
  return state;
}

thread_local std::uint64_t full_errors_on_thread = 0;

void CountFull() {
  ++full_errors_on_thread;
  State& state = Shared();
  std::lock_guard lock(state.mutex);
  if (!state.health.full) state.health.full_since = common::SystemClock().Now();
  state.health.full = true;
  ++state.health.full_errors;
}

void OnSqliteLog(void*, int code, const char* message) noexcept {
  try {
    const int primary = code & 0xFF;
    if (primary == SQLITE_FULL) {
      CountFull();
      return;
    }
    if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) {
      State& state = Shared();
      {
        std::lock_guard lock(state.mutex);
        if (state.health.corrupt) return;  // said once: it does not heal while we run
        state.health.corrupt = true;
        state.health.corruption = message != nullptr ? message : sqlite3_errstr(code);
      }
      logging::Error(
          "the database file is damaged; requests that read the damaged pages fail with "
          "STORAGE_CORRUPT. Stop the service, restore the database from a backup (or rebuild "
          "it with `sqlite3 <db> .recover`), and start it again",
          {{"error", message != nullptr ? message : ""}, {"code", code}});
    }
  } catch (...) {
    // Nothing may unwind into SQLite.
  }
}

}  // namespace

bool InstallStorageHealthLog() {
  static const bool installed = [] {
    return sqlite3_config(SQLITE_CONFIG_LOG, &OnSqliteLog, nullptr) == SQLITE_OK;
  }();
  return installed;
}

StorageHealthSnapshot StorageHealth() {
  State& state = Shared();
  std::lock_guard lock(state.mutex);
  return state.health;
}

std::uint64_t FullErrorsOnThisThread() { return full_errors_on_thread; }

void RecordStorageFull() { CountFull(); }

void MarkStorageWritable() {
  State& state = Shared();
  std::lock_guard lock(state.mutex);
  if (!state.health.full) return;
  state.health.full = false;
  state.health.full_since.reset();
  logging::Info("the database accepts writes again");
}

common::PortError ToPortError(std::string_view context, const SqliteError& error) {
  const int primary = error.code;
  common::PortErrorKind kind = common::PortErrorKind::kFailure;
  if (primary == SQLITE_FULL) kind = common::PortErrorKind::kStorageFull;
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) {
    kind = common::PortErrorKind::kStorageCorrupt;
  }
  return common::PortError{std::string(context) + ": " + error.message, kind};
}

}  // namespace logistics::sqlite
