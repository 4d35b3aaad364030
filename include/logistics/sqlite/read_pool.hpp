// ReadPool: a few read-only connections shared by the query handlers.
//
// Queries never go through the writer: each borrows a read-only connection
// for the duration of one query. In WAL mode readers see the last committed
// state and neither block nor are blocked by the writer. When every
// connection is lent, Acquire waits for one to come back.
//
// Ownership: owns its connections; a lease must end before the pool does.
// Thread-safety: Acquire is safe from any thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <mutex>
#include <vector>

#include "logistics/common/result.hpp"
#include "logistics/sqlite/database.hpp"

namespace logistics::sqlite {

class ReadPool {
 public:
  class Lease {
   public:
    Lease(ReadPool& pool, Database* db) : pool_(&pool), db_(db) {}
    Lease(Lease&& other) noexcept : pool_(other.pool_), db_(other.db_) { other.db_ = nullptr; }
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (db_ != nullptr) pool_->Return(db_);
    }
    Database& operator*() const { return *db_; }
    Database* operator->() const { return db_; }

   private:
    ReadPool* pool_;
    Database* db_;
  };

  // Opens `size` read-only connections to an existing database.
  static common::Result<std::unique_ptr<ReadPool>, SqliteError> Open(
      const std::filesystem::path& path, std::size_t size);

  Lease Acquire();

 private:
  ReadPool() = default;
  void Return(Database* db);

  std::vector<Database> connections_;
  std::vector<Database*> idle_;
  std::mutex mutex_;
  std::condition_variable returned_;
};

}  // namespace logistics::sqlite
