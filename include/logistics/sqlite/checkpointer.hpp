// Checkpointer: WAL checkpoints on a thread of their own, off the writer's.
//
// By default SQLite checkpoints inside the COMMIT that pushes the WAL past
// 1000 frames, on the committing thread: the writer would stop taking
// commands while pages are copied back into the database and synced (about a
// twentieth of its time under load, measured with perf). Instead the writer's
// WAL hook wakes this thread, which runs a PASSIVE checkpoint on its own
// connection: it never blocks the writer or readers, and SQLite restarts the
// WAL from its beginning at the next commit after a complete checkpoint, so
// the WAL stays as bounded as with the default.
//
// Under a steady stream of commits a checkpoint on another thread may never
// see the end of the WAL (new frames arrive while it copies), and SQLite only
// restarts a WAL that is copied to its end. So past `hard_limit_frames` the
// writer checkpoints inline once, as SQLite's default would: the WAL never
// grows past that, whatever the load.
//
// Ownership: owns its connection and thread; the writer's Database must
// outlive it or have its hook replaced. Thread-safety: the hook it installs
// runs on the writer's thread; everything else is internal.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "logistics/common/result.hpp"
#include "logistics/sqlite/database.hpp"

namespace logistics::sqlite {

class Checkpointer {
 public:
  // Opens its own connection to the writer's file and installs the writer's
  // WAL hook. `threshold_frames`: the WAL size that asks for a checkpoint
  // (SQLite's default automatic checkpoint is at 1000); `hard_limit_frames`:
  // the size at which the writer checkpoints itself.
  static common::Result<std::unique_ptr<Checkpointer>, SqliteError> Start(
      Database& writer, int threshold_frames = 1000, int hard_limit_frames = 4000);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Checkpoints run so far (for tests and figures).
  std::uint64_t checkpoints() const;

 private:
  explicit Checkpointer(Database connection);
  void Request();
  void Run();

  Database connection_;
  mutable std::mutex mutex_;
  std::condition_variable wanted_;
  bool requested_ = false;
  bool stopping_ = false;
  std::uint64_t checkpoints_ = 0;
  std::thread thread_;
};

}  // namespace logistics::sqlite
