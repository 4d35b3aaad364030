// SqliteIdempotency: the replies of commands that carried a Nats-Msg-Id key.
//
//   idempotency(key PRIMARY KEY, request_hash, subject, status, reply,
//               error_message, created_at)
//
// A command with a key stores the key, a hash of its subject and body, and its
// reply in the same transaction as its effects. A repeat within the retention
// gets the stored reply back, byte for byte, and changes nothing; the same key
// with another subject or body is refused (IDEMPOTENCY_KEY_REUSED). Rows older
// than the retention are ignored on lookup and deleted in small batches.
//
// Ownership: borrows a Database. Thread-safety: writer thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "logistics/common/result.hpp"
#include "logistics/common/time.hpp"
#include "logistics/sqlite/database.hpp"
#include "logistics/sqlite/migrations.hpp"

namespace logistics::messaging {

struct StoredReply {
  std::string request_hash;
  int status = 200;           // 200, or the error status (400, 404, 409)
  std::string body;           // the reply body exactly as sent
  std::string error_message;  // the Nats-Service-Error header, for errors
};

class SqliteIdempotency {
 public:
  explicit SqliteIdempotency(sqlite::Database& db) : db_(db) {}

  // Component "idempotency" of the schema_version table.
  static std::span<const sqlite::Migration> Migrations();

  // The reply stored under `key` at or after `not_before`, if any.
  common::Result<std::optional<StoredReply>, sqlite::SqliteError> Find(std::string_view key,
                                                                      common::Timestamp not_before);
  // Stores (or replaces an expired) reply under `key`.
  common::Result<void, sqlite::SqliteError> Store(std::string_view key, std::string_view subject,
                                                  const StoredReply& reply, common::Timestamp now);
  // Deletes up to `limit` rows created before `cutoff`; returns how many.
  common::Result<std::int64_t, sqlite::SqliteError> DeleteCreatedBefore(common::Timestamp cutoff,
                                                                        std::int64_t limit);

 private:
  sqlite::Database& db_;
};

// A stable 64-bit FNV-1a hash of a command's subject and body, as 16 hex
// digits. It detects a key reused for another command; it is not a defence
// against an adversary (the key space is the client's own).
std::string RequestHash(std::string_view subject, std::string_view body);

}  // namespace logistics::messaging
