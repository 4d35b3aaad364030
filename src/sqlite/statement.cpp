#include "logistics/sqlite/statement.hpp"

#include <sqlite3.h>

#include <cassert>

namespace logistics::sqlite {

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::Bind(int index, std::int64_t value) {
  [[maybe_unused]] const int rc = sqlite3_bind_int64(stmt_, index, value);
  assert(rc == SQLITE_OK);
  return *this;
}

Statement& Statement::Bind(int index, std::string_view text) {
  // SQLITE_TRANSIENT: SQLite copies, so callers may pass temporaries.
  [[maybe_unused]] const int rc = sqlite3_bind_text(
      stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  assert(rc == SQLITE_OK);
  return *this;
}

Statement& Statement::Bind(int index, const std::optional<std::string>& text) {
  return text ? Bind(index, std::string_view(*text)) : BindNull(index);
}

Statement& Statement::BindNull(int index) {
  [[maybe_unused]] const int rc = sqlite3_bind_null(stmt_, index);
  assert(rc == SQLITE_OK);
  return *this;
}

common::Result<bool, SqliteError> Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return common::Unexpected{MakeSqliteError(db_, rc, sqlite3_sql(stmt_))};
}

common::Result<void, SqliteError> Statement::Run() {
  for (;;) {
    auto row = Step();
    if (!row) return common::Unexpected{row.error()};
    if (!*row) return {};
  }
}

std::int64_t Statement::ColumnInt64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string Statement::ColumnText(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text), size);
}

std::optional<std::string> Statement::ColumnOptionalText(int column) const {
  if (ColumnIsNull(column)) return std::nullopt;
  return ColumnText(column);
}

std::optional<std::int64_t> Statement::ColumnOptionalInt64(int column) const {
  if (ColumnIsNull(column)) return std::nullopt;
  return ColumnInt64(column);
}

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

}  // namespace logistics::sqlite
