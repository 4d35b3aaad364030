#include "logistics/service/startup_integrity_check.hpp"

#include <chrono>

#include "logistics/logging/log.hpp"

namespace logistics::service {
namespace {

// Enough to tell one bad page from widespread damage, short enough for a log line.
constexpr int kProblemsReported = 5;

}  // namespace

common::Result<void, std::string> CheckIntegrityAtStart(sqlite::Database& db, bool skip) {
  const std::string file = db.path().string();
  if (skip) {
    logging::Warn("database integrity check skipped (--skip-integrity-check)", {{"db", file}});
    return {};
  }
  const auto started = std::chrono::steady_clock::now();
  auto checked = db.QuickCheck(kProblemsReported);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  logging::Info("database integrity check (quick_check) done",
                {{"db", file}, {"ok", checked.has_value()}, {"duration_ms", took.count()}});
  if (checked) return {};
  return common::Unexpected{
      "the database " + file + " failed its integrity check at start-up (" +
      checked.error().message + "). Refusing to start on a damaged database, where some requests "
      "would fail. Stop every process using the file, then restore it from a backup, or salvage "
      "what SQLite can still read: sqlite3 " + file + " .recover | sqlite3 recovered.db, check "
      "the result with sqlite3 recovered.db 'PRAGMA integrity_check', and move it into the "
      "file's place (remove any " + file + "-wal and -shm beside it). --skip-integrity-check "
      "starts without this check."};
}

}  // namespace logistics::service
