// Statement: a prepared SQLite statement with typed binding and reading.
//
// Statements are owned by their Database's cache (Database::Prepare) and lent
// out as a StatementLease, which resets the statement and clears its bindings
// when it goes out of scope, so a cached statement is always clean when it is
// lent again. Parameters are 1-based like SQLite's; columns are 0-based.
//
//   auto lease = db.Prepare("SELECT status FROM orders WHERE order_id = ?");
//   if (!lease) return ...;
//   Statement& select = **lease;
//   select.Bind(1, order_id);
//   auto row = select.Step();          // Result<bool>: true when a row is ready
//   if (row && *row) status = select.ColumnText(0);
//
// Thread-safety: none; a statement belongs to its connection's thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "logistics/common/result.hpp"
#include "logistics/sqlite/sqlite_error.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace logistics::sqlite {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binding never fails for a valid index; an invalid index is a programming
  // error caught by the assert in debug builds and by SQLite's rc in Step.
  Statement& Bind(int index, std::int64_t value);
  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Statement& Bind(int index, const std::string& text) { return Bind(index, std::string_view(text)); }
  Statement& Bind(int index, const std::optional<std::string>& text);
  Statement& BindNull(int index);

  // Advances: true when a row is available, false when done.
  common::Result<bool, SqliteError> Step();
  // Steps to completion, ignoring rows (INSERT/UPDATE/DELETE).
  common::Result<void, SqliteError> Run();

  std::int64_t ColumnInt64(int column) const;
  std::string ColumnText(int column) const;
  std::optional<std::string> ColumnOptionalText(int column) const;
  std::optional<std::int64_t> ColumnOptionalInt64(int column) const;
  bool ColumnIsNull(int column) const;

  // Back to before the first Step, with bindings cleared.
  void Reset();

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

// Lends a cached Statement and resets it when the lease ends.
class StatementLease {
 public:
  explicit StatementLease(Statement* statement) : statement_(statement) {}
  ~StatementLease() {
    if (statement_ != nullptr) statement_->Reset();
  }
  StatementLease(StatementLease&& other) noexcept : statement_(other.statement_) {
    other.statement_ = nullptr;
  }
  StatementLease& operator=(StatementLease&&) = delete;
  StatementLease(const StatementLease&) = delete;

  Statement& operator*() const { return *statement_; }
  Statement* operator->() const { return statement_; }

 private:
  Statement* statement_;
};

}  // namespace logistics::sqlite
