#include "logistics/messaging/sqlite_relay_lease.hpp"

#include <array>

namespace logistics::messaging {
namespace {

using common::Unexpected;

constexpr std::array<sqlite::Migration, 1> kMigrations{{
    {1, "create relay_lease",
     "CREATE TABLE relay_lease ("
     " name TEXT PRIMARY KEY,"
     " holder TEXT NOT NULL,"
     " epoch INTEGER NOT NULL,"
     " expires_at INTEGER NOT NULL);"
     "INSERT INTO relay_lease(name, holder, epoch, expires_at) VALUES('relay', '', 0, 0);"},
}};

}  // namespace

std::span<const sqlite::Migration> SqliteRelayLease::Migrations() { return kMigrations; }

common::Result<LeaseRow, sqlite::SqliteError> SqliteRelayLease::Read() {
  auto select = db_.Prepare("SELECT holder, epoch, expires_at FROM relay_lease WHERE name = 'relay'");
  if (!select) return Unexpected{select.error()};
  auto row = (*select)->Step();
  if (!row) return Unexpected{row.error()};
  if (!*row) return LeaseRow{};
  return LeaseRow{(*select)->ColumnText(0), (*select)->ColumnInt64(1),
                  common::FromUnixMillis((*select)->ColumnInt64(2))};
}

common::Result<void, sqlite::SqliteError> SqliteRelayLease::Write(const LeaseRow& row) {
  auto update = db_.Prepare(
      "INSERT INTO relay_lease(name, holder, epoch, expires_at) VALUES('relay', ?, ?, ?)"
      " ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, epoch = excluded.epoch,"
      " expires_at = excluded.expires_at");
  if (!update) return Unexpected{update.error()};
  (*update)->Bind(1, row.holder).Bind(2, row.epoch).Bind(3, common::ToUnixMillis(row.expires_at));
  return (*update)->Run();
}

common::Result<bool, sqlite::SqliteError> SqliteRelayLease::HeldBy(std::int64_t epoch) {
  auto select = db_.Prepare("SELECT epoch FROM relay_lease WHERE name = 'relay'");
  if (!select) return Unexpected{select.error()};
  auto row = (*select)->Step();
  if (!row) return Unexpected{row.error()};
  return *row && (*select)->ColumnInt64(0) == epoch;
}

}  // namespace logistics::messaging
