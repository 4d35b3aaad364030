#include "logistics/messaging/sqlite_idempotency.hpp"

#include <array>
#include <cstdio>

namespace logistics::messaging {
namespace {

using common::Unexpected;

constexpr std::array<sqlite::Migration, 1> kMigrations{{
    {1, "create idempotency records",
     "CREATE TABLE idempotency ("
     " key TEXT PRIMARY KEY,"
     " request_hash TEXT NOT NULL,"
     " subject TEXT NOT NULL,"
     " status INTEGER NOT NULL,"
     " reply BLOB NOT NULL,"
     " error_message TEXT NOT NULL,"
     " created_at INTEGER NOT NULL) WITHOUT ROWID;"
     "CREATE INDEX idempotency_created_at ON idempotency(created_at);"},
}};

}  // namespace

std::span<const sqlite::Migration> SqliteIdempotency::Migrations() { return kMigrations; }

common::Result<std::optional<StoredReply>, sqlite::SqliteError> SqliteIdempotency::Find(
    std::string_view key, common::Timestamp not_before) {
  auto select = db_.Prepare(
      "SELECT request_hash, status, reply, error_message FROM idempotency"
      " WHERE key = ? AND created_at >= ?");
  if (!select) return Unexpected{select.error()};
  (*select)->Bind(1, key).Bind(2, common::ToUnixMillis(not_before));
  auto row = (*select)->Step();
  if (!row) return Unexpected{row.error()};
  if (!*row) return std::optional<StoredReply>();
  const sqlite::Statement& s = **select;
  return std::optional<StoredReply>(StoredReply{s.ColumnText(0), static_cast<int>(s.ColumnInt64(1)),
                                                s.ColumnText(2), s.ColumnText(3)});
}

common::Result<void, sqlite::SqliteError> SqliteIdempotency::Store(std::string_view key,
                                                                   std::string_view subject,
                                                                   const StoredReply& reply,
                                                                   common::Timestamp now) {
  // An expired row (not yet deleted) gives way to the new command.
  auto upsert = db_.Prepare(
      "INSERT INTO idempotency(key, request_hash, subject, status, reply, error_message,"
      " created_at) VALUES(?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET"
      " request_hash = excluded.request_hash, subject = excluded.subject,"
      " status = excluded.status, reply = excluded.reply,"
      " error_message = excluded.error_message, created_at = excluded.created_at");
  if (!upsert) return Unexpected{upsert.error()};
  (*upsert)
      ->Bind(1, key)
      .Bind(2, reply.request_hash)
      .Bind(3, subject)
      .Bind(4, std::int64_t{reply.status})
      .Bind(5, reply.body)
      .Bind(6, reply.error_message)
      .Bind(7, common::ToUnixMillis(now));
  return (*upsert)->Run();
}

common::Result<std::int64_t, sqlite::SqliteError> SqliteIdempotency::DeleteCreatedBefore(
    common::Timestamp cutoff, std::int64_t limit) {
  auto remove = db_.Prepare(
      "DELETE FROM idempotency WHERE key IN (SELECT key FROM idempotency WHERE created_at < ?"
      " ORDER BY created_at LIMIT ?)");
  if (!remove) return Unexpected{remove.error()};
  (*remove)->Bind(1, common::ToUnixMillis(cutoff)).Bind(2, limit);
  if (auto done = (*remove)->Run(); !done) return Unexpected{done.error()};
  return db_.Changes();
}

std::string RequestHash(std::string_view subject, std::string_view body) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  auto mix = [&hash](std::string_view bytes) {
    for (const char c : bytes) {
      hash ^= static_cast<unsigned char>(c);
      hash *= 0x100000001b3ULL;
    }
  };
  mix(subject);
  mix(std::string_view("\0", 1));  // so ("ab","c") and ("a","bc") differ
  mix(body);
  std::array<char, 17> text{};
  std::snprintf(text.data(), text.size(), "%016llx", static_cast<unsigned long long>(hash));
  return std::string(text.data());
}

}  // namespace logistics::messaging
