// RelayLease: of the instances of a service that share one database, the one
// whose relay publishes.
//
// Every instance commits outbox rows; only the lease holder's relay reads and
// publishes them, and only the holder runs housekeeping. The lease is the row
// of sqlite_relay_lease.hpp, claimed and renewed on a connection of its own
// by this object's thread:
//
//   - the holder renews every duration/4, moving `expires_at` to now +
//     duration; it considers itself the holder for 3/4 of the duration after
//     the start of its last successful renewal (its own steady clock), so it
//     stops publishing a quarter of the duration before anyone else may start;
//   - the others try every duration/6 and take the lease over, with the epoch
//     raised by one, once it has expired, or at once when the holder's process
//     is gone from this host (lease_holder.hpp);
//   - a renewal refused for lack of disk space keeps the lease: the row still
//     names the holder, and no other instance can write it on that disk
//     either, so a full disk does not stop publishing (the first renewal
//     after space returns writes it again);
//   - Stop(release) hands the lease back (expires now) so a survivor of a
//     graceful shutdown takes over within duration/6.
//
// A SIGKILLed holder is replaced within about duration/6 (it is gone); a
// paused one (SIGSTOP) after its lease expires, at most duration + duration/6.
// When it resumes, HeldEpoch() is already empty (its steady clock moved on),
// so its relay stops before the next publish, and its marks carry an epoch
// the row no longer has (SqliteRelayLease::HeldBy): they roll back. What is
// left, and why the stream's de-duplication and the consumers' version guard
// cover it, is in the README (Guarantees, several instances).
//
// Ownership: owns its connection and its thread. Thread-safety: HeldEpoch and
// Figures from any thread; Start and Stop from the owning thread. The
// callbacks run on the lease thread, one at a time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "logistics/common/clock.hpp"
#include "logistics/messaging/sqlite_relay_lease.hpp"
#include "logistics/sqlite/database.hpp"

namespace logistics::messaging {

enum class LeaseClaim {
  kRenew,     // the row names us: renew, same epoch
  kTakeOver,  // free, expired, or its holder is gone: take it, epoch + 1
  kWait,      // another live holder's lease runs
};

// What the instance named `me` may do with the lease `row` at `now`.
LeaseClaim JudgeLease(const LeaseRow& row, const std::string& me, common::Timestamp now,
                      bool holder_gone);

struct RelayLeaseSettings {
  std::chrono::milliseconds duration{3000};
  std::string holder;  // ThisProcessAsLeaseHolder() in a service
};

struct RelayLeaseFigures {
  bool held = false;
  std::int64_t epoch = 0;       // ours while held, else the last one we saw
  std::string holder;           // the holder named by the row at the last attempt
  std::uint64_t acquisitions = 0;
  std::uint64_t losses = 0;
  std::string last_error;       // "" when the last attempt could read the row
};

class RelayLease {
 public:
  RelayLease(sqlite::Database db, const common::Clock& clock, RelayLeaseSettings settings);
  ~RelayLease();
  RelayLease(const RelayLease&) = delete;
  RelayLease& operator=(const RelayLease&) = delete;

  // Starts the thread. `on_acquired(epoch)` runs when this instance becomes
  // the holder, `on_lost()` when it stops being one.
  void Start(std::function<void(std::int64_t epoch)> on_acquired, std::function<void()> on_lost);
  // Ends the thread (on_lost runs if held); with `release`, the lease is
  // handed back so another instance takes over at once.
  void Stop(bool release);
  // The epoch, while this instance holds the lease now.
  std::optional<std::int64_t> HeldEpoch() const;
  RelayLeaseFigures Figures() const;

 private:
  void Run();
  // One claim or renewal; true when this instance holds the lease after it.
  bool Attempt(std::chrono::steady_clock::time_point started);

  sqlite::Database db_;
  const common::Clock& clock_;
  const RelayLeaseSettings settings_;
  std::function<void(std::int64_t)> on_acquired_;
  std::function<void()> on_lost_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool stop_ = false;
  std::optional<std::int64_t> epoch_;                // held, while valid_until_ lasts
  std::chrono::steady_clock::time_point valid_until_{};
  RelayLeaseFigures figures_;
  bool announced_ = false;  // lease thread only: on_acquired ran without on_lost
  std::thread thread_;
};

}  // namespace logistics::messaging
