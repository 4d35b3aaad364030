#include "logistics/sqlite/checkpointer.hpp"
#include "logistics/logging/thread_name.hpp"

namespace logistics::sqlite {

common::Result<std::unique_ptr<Checkpointer>, SqliteError> Checkpointer::Start(
    Database& writer, int threshold_frames, int hard_limit_frames) {
  auto connection = Database::Open(writer.path());
  if (!connection) return common::Unexpected{connection.error()};
  std::unique_ptr<Checkpointer> checkpointer(new Checkpointer(std::move(*connection)));
  Checkpointer* self = checkpointer.get();
  writer.SetWalHook([self, threshold_frames, hard_limit_frames](int frames) {
    if (frames >= hard_limit_frames) return false;  // the writer checkpoints inline
    if (frames >= threshold_frames) self->Request();
    return true;
  });
  return checkpointer;
}

Checkpointer::Checkpointer(Database connection)
    : connection_(std::move(connection)), thread_([this] {
        logging::NameThisThread("checkpointer");
        Run();
      }) {}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wanted_.notify_all();
  thread_.join();
}

std::uint64_t Checkpointer::checkpoints() const {
  std::lock_guard lock(mutex_);
  return checkpoints_;
}

void Checkpointer::Request() {
  {
    std::lock_guard lock(mutex_);
    requested_ = true;
  }
  wanted_.notify_one();
}

void Checkpointer::Run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wanted_.wait(lock, [this] { return requested_ || stopping_; });
    if (stopping_) return;
    requested_ = false;
    lock.unlock();
    // A failed passive checkpoint (busy, I/O) is retried at the next request;
    // the WAL only grows meanwhile, as it would with SQLite's own.
    (void)connection_.CheckpointPassive();
    lock.lock();
    ++checkpoints_;
  }
}

}  // namespace logistics::sqlite
