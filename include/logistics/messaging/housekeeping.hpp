// Housekeeping: the periodic clean-up a service does besides its work, on
// one thread, on one timetable.
//
// Each task is registered with a name, an interval and a function that does
// one bounded piece of clean-up (delete at most one batch of expired rows)
// and says whether more is due at once. The thread runs every task that is
// due, in registration order; a task that reports more is due runs again
// after `catch_up_delay` instead of its interval, so a large backlog is
// cleared in small transactions without starving the service's writer. The
// service registers (ServiceRuntime):
//
//   task         interval  does                                          kept for
//   outbox       5 s       deletes outbox rows published before the       --republish-horizon
//                          re-publish horizon, 500 at a time
//   inbox        60 s      deletes inbox rows of every consumer           --inbox-retention
//   idempotency  60 s      deletes stored command replies                 --idempotency-retention
//   figures      60 s      logs the service's figures
//
// Every task first runs one interval after Start(), then on its interval.
//
// Running is one switch: Start() begins the schedule and Stop() ends it
// (waiting for a task under way). Nothing else runs any of the tasks, so when
// several instances of a service share a database behind a lease, only the
// lease holder calling Start() (and Stop() when it loses the lease) is what
// keeps two instances from cleaning up at once.
//
// Tasks run on the housekeeping thread and typically hand their deletes to
// the service's writer (CleanUpThroughWriter), so they must tolerate a
// writer that refuses work while it stops (they report nothing more due).
//
// Ownership: owns its thread and the tasks. Thread-safety: Add before Start;
// Start and Stop from the owning thread; Stop is idempotent and the
// destructor calls it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "logistics/messaging/writer.hpp"

namespace logistics::messaging {

struct HousekeepingTask {
  std::string name;  // "outbox": for the log
  std::chrono::milliseconds interval{60000};
  // One bounded piece of clean-up; true when more is due at once.
  std::function<bool()> run;
};

class Housekeeping {
 public:
  explicit Housekeeping(std::chrono::milliseconds catch_up_delay = std::chrono::milliseconds(100));
  ~Housekeeping();
  Housekeeping(const Housekeeping&) = delete;
  Housekeeping& operator=(const Housekeeping&) = delete;

  // Registers a task (before Start).
  void Add(HousekeepingTask task);
  // Starts the thread; every task runs one interval later, and so on.
  void Start();
  // Ends the schedule and joins the thread, after the task under way.
  void Stop();
  bool Running() const;

 private:
  struct Scheduled {
    HousekeepingTask task;
    std::chrono::steady_clock::time_point due;
  };
  void Run();

  const std::chrono::milliseconds catch_up_delay_;
  std::vector<Scheduled> tasks_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  std::thread thread_;
};

// A task body that deletes one batch in a bookkeeping transaction on
// `writer`: `delete_batch` runs on the writer thread and returns how many
// rows it deleted (or nullopt when it failed: rolled back). Waits up to
// `wait` for the transaction; reports more due when a full `batch` went.
std::function<bool()> CleanUpThroughWriter(
    Writer& writer, std::int64_t batch,
    std::function<std::optional<std::int64_t>(sqlite::Database&, std::int64_t batch)> delete_batch,
    std::chrono::milliseconds wait = std::chrono::seconds(5));

}  // namespace logistics::messaging
