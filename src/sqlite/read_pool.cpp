#include "logistics/sqlite/read_pool.hpp"

namespace logistics::sqlite {

common::Result<std::unique_ptr<ReadPool>, SqliteError> ReadPool::Open(
    const std::filesystem::path& path, std::size_t size) {
  std::unique_ptr<ReadPool> pool(new ReadPool());
  pool->connections_.reserve(size);
  for (std::size_t i = 0; i < size; ++i) {
    auto db = Database::Open(path, DatabaseOptions{OpenMode::kReadOnly});
    if (!db) return common::Unexpected{db.error()};
    pool->connections_.push_back(std::move(*db));
  }
  for (auto& db : pool->connections_) pool->idle_.push_back(&db);
  return pool;
}

ReadPool::Lease ReadPool::Acquire() {
  std::unique_lock lock(mutex_);
  returned_.wait(lock, [this] { return !idle_.empty(); });
  Database* db = idle_.back();
  idle_.pop_back();
  return Lease(*this, db);
}

void ReadPool::Return(Database* db) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(db);
  }
  returned_.notify_one();
}

}  // namespace logistics::sqlite
