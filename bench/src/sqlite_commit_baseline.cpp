#include <sqlite3.h>

#include <stdexcept>
#include <string>

#include "baselines.hpp"

namespace logistics::bench {
namespace {

void Exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw std::runtime_error(std::string(sql) + ": " + message);
  }
}

}  // namespace

SqliteCommitResult RunSqliteCommits(const std::filesystem::path& path, std::size_t rows_per_txn,
                                    std::uint64_t count, std::chrono::seconds max_duration) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    throw std::runtime_error("cannot open " + path.string());
  }
  // The services' settings (sqlite/database.cpp): WAL, every commit durable.
  Exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
  // A row about the size of an order and its outbox event.
  Exec(db, "CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO rows (body) VALUES (?1)", -1, &insert, nullptr);
  const std::string body(330, 'x');

  SqliteCommitResult result;
  result.latencies.Reserve(count);
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + max_duration;
  for (; result.commits < count && std::chrono::steady_clock::now() < deadline; ++result.commits) {
    const auto begun = std::chrono::steady_clock::now();
    Exec(db, "BEGIN IMMEDIATE");
    for (std::size_t row = 0; row < rows_per_txn; ++row, ++result.rows) {
      sqlite3_bind_text(insert, 1, body.data(), static_cast<int>(body.size()), SQLITE_STATIC);
      if (sqlite3_step(insert) != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(db));
      sqlite3_reset(insert);
    }
    Exec(db, "COMMIT");
    result.latencies.Add(std::chrono::steady_clock::now() - begun);
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  sqlite3_finalize(insert);
  sqlite3_close(db);
  return result;
}

}  // namespace logistics::bench
