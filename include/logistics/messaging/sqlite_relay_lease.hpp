// SqliteRelayLease: the relay lease row, and every SQL statement that touches it.
//
//   relay_lease(name PRIMARY KEY = 'relay', holder, epoch, expires_at)
//
// Several instances of a service may share one database (one host). Each
// commits outbox rows; exactly one relay publishes them: the instance that
// holds this lease (relay_lease.hpp). `holder` names the holding process
// (lease_holder.hpp), `expires_at` (Unix milliseconds) is when the others may
// take it over if it is not renewed, and `epoch` grows by one every time the
// lease changes hands. The epoch is the fence: the relay's marks (rows
// published, the streams' positions), parkings and failure records commit
// only while the lease row still carries the epoch the relay was given
// (HeldBy, read inside the same write transaction), so an instance that lost
// the lease while paused cannot record anything under it afterwards.
//
// Ownership: borrows a Database, which must outlive it. Thread-safety: that
// of its connection (one thread at a time).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "logistics/common/result.hpp"
#include "logistics/common/time.hpp"
#include "logistics/sqlite/database.hpp"
#include "logistics/sqlite/migrations.hpp"

namespace logistics::messaging {

struct LeaseRow {
  std::string holder;  // "" before anyone held it
  std::int64_t epoch = 0;
  common::Timestamp expires_at{};
};

class SqliteRelayLease {
 public:
  explicit SqliteRelayLease(sqlite::Database& db) : db_(db) {}

  static std::span<const sqlite::Migration> Migrations();

  common::Result<LeaseRow, sqlite::SqliteError> Read();
  // Writes the row as `row` (in the caller's write transaction).
  common::Result<void, sqlite::SqliteError> Write(const LeaseRow& row);
  // Whether the lease still carries `epoch`: the fence, read in the write
  // transaction whose effects it guards.
  common::Result<bool, sqlite::SqliteError> HeldBy(std::int64_t epoch);

 private:
  sqlite::Database& db_;
};

}  // namespace logistics::messaging
